"""One name per account, on the site and in the Wagtail admin.

The rule: an account's name is its profile's display name; without one, its
first and last name; without those, its username (shown as "Staff member"
on the public site for staff, whose usernames are admin logins). The site
reads it through `accounts.profiles.public_name`.

Wagtail's admin reads the account's own fields: `get_full_name()` in page
histories, revisions, locks, comments and the user list, and `first_name`
in the sidebar's account menu. So the two are kept in step, both ways:

- saving a profile with a display name stores it as the account's first and
  last name ("Tomasz Wierzbicki" → "Tomasz" + "Wierzbicki"), so
  `get_full_name()` is the display name and the sidebar shows its first word;
- changing the account's name (Wagtail's "Name" settings, the user editor)
  makes the full name the profile's display name, when it has one.

The receivers write with `QuerySet.update`, which sends no signals, so one
change never triggers the other.
"""

from django.contrib.auth import get_user_model

from accounts.models import DISPLAY_NAME_MAX_LENGTH, Profile

NAME_FIELDS = {"first_name", "last_name"}


def split_name(name):
    """(first name, last name) for a display name: the first word, the rest."""
    first, _, last = " ".join(name.split()).partition(" ")
    return first, last


def account_name_from_profile(sender, instance, **kwargs):
    """post_save of Profile: a display name becomes the account's name."""
    name = " ".join(instance.display_name.split())
    user = instance.user
    if not name or user.get_full_name().strip() == name:
        return
    first, last = split_name(name)
    get_user_model().objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.first_name, user.last_name = first, last


def profile_name_from_account(sender, instance, created=False, update_fields=None, **kwargs):
    """post_save of the user model: a changed full name becomes the
    profile's display name (a profile without one already shows it)."""
    if created or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return  # a new account has no profile; a login or password change, no name
    name = instance.get_full_name().strip()[:DISPLAY_NAME_MAX_LENGTH]
    if not name:
        return
    profiles = Profile.objects.filter(user=instance).exclude(display_name="")
    profiles.exclude(display_name=name).update(display_name=name)


def connect():
    """Keep account and profile names in step (called from AccountsConfig.ready)."""
    from django.db.models.signals import post_save

    post_save.connect(account_name_from_profile, sender=Profile, dispatch_uid="accounts.names.p")
    post_save.connect(
        profile_name_from_account, sender=get_user_model(), dispatch_uid="accounts.names.u"
    )
