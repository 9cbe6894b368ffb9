"""Reading and changing reader profiles."""

from django.db import transaction

from accounts.models import Profile
from accounts.staff import STAFF_PUBLIC_NAME, is_staff_account

DELETED_USER_NAME = "deleted user"


def profile_for(user):
    """The user's profile, created on first use."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


def public_name(user):
    """The name shown next to a user's comments ("deleted user" for none).

    Reads `user.profile` if it was select_related; a user without a profile
    row yet is shown by full name, then username, except staff, whose
    usernames are admin login names and are never shown.
    """
    if user is None:
        return DELETED_USER_NAME
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = None
    if profile is not None and profile.display_name:
        return profile.display_name
    full_name = user.get_full_name()
    if full_name:
        return full_name
    return STAFF_PUBLIC_NAME if is_staff_account(user) else user.get_username()


def avatar_url(user):
    """The URL of the user's avatar thumbnail, or '' when they have none."""
    if user is None:
        return ""
    try:
        avatar = user.profile.avatar
    except Profile.DoesNotExist:
        return ""
    return avatar.url if avatar else ""


def delete_file_after_commit(field_file):
    """Remove a stored file once the surrounding transaction commits."""
    name = field_file.name
    storage = field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def update_profile(profile, *, display_name, bio, avatar=None, remove_avatar=False):
    """Save new profile values. A new avatar (the thumbnail that
    accounts.avatars.avatar_thumbnail made) replaces the old one, whose file
    is deleted after commit."""
    profile.display_name = display_name
    profile.bio = bio
    if avatar is not None or remove_avatar:
        if profile.avatar:
            delete_file_after_commit(profile.avatar)
        profile.avatar = ""
    if avatar is not None:
        profile.avatar.save(avatar.name, avatar, save=False)
    profile.save()
    return profile
