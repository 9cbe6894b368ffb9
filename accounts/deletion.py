"""Deleting a reader's account: personal data goes, their comments stay as
"deleted user" (community.Comment.author is SET_NULL)."""

from allauth.usersessions.models import UserSession
from django.db import transaction

from accounts.models import Profile
from accounts.profiles import delete_file_after_commit
from accounts.staff import is_staff_account


class AccountDeletionRefused(Exception):
    """The account cannot be deleted from the reader pages."""


def can_self_delete(user):
    """Readers may delete their own account; staff accounts (admin access,
    editorial groups) are removed by an administrator instead, so a click on
    the reader page can never orphan pages or workflows."""
    return not is_staff_account(user)


@transaction.atomic
def delete_account(user):
    """Delete `user` with their email addresses, profile and avatar, MFA
    authenticators, social logins, sessions, likes and reports. Comments they
    wrote remain, attributed to nobody."""
    if not can_self_delete(user):
        raise AccountDeletionRefused("Staff accounts are removed by an administrator.")
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.avatar:
        delete_file_after_commit(profile.avatar)
    # Sign out every device: the session rows would otherwise outlive the user
    # (they would no longer authenticate, but they are personal data too).
    for session in UserSession.objects.filter(user=user):
        session.end()
    # Email addresses, authenticators, social accounts, profile, likes,
    # reports and bans cascade with the user row.
    user.delete()
