"""Staff accounts: admin access (staff or superuser flag) or membership of
an editorial group. Their usernames are admin login names, so they have no
public profile and their comments never link to one; they are removed by an
administrator, not from the reader pages."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

STAFF_PUBLIC_NAME = "Staff member"


def is_staff_account(user):
    """True for staff or superusers and for members of any group."""
    return user.is_staff or user.is_superuser or user.groups.exists()


def public_profile_owners():
    """Active accounts that have a public profile at /people/<username>/:
    readers, never staff."""
    return get_user_model().objects.filter(
        is_active=True, is_staff=False, is_superuser=False, groups__isnull=True
    )


def has_public_profile_expression(user_id_field):
    """A boolean expression for querysets of other models: whether the user
    whose id is in `user_id_field` (e.g. "author_id") has a public profile."""
    return Exists(public_profile_owners().filter(pk=OuterRef(user_id_field)))


def has_public_profile(user):
    """Whether `user` has a public profile (one query for non-flagged users)."""
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    return not user.groups.exists()
