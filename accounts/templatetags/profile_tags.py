"""Showing people: their public name and avatar."""

from django import template

from accounts.profiles import avatar_url, public_name
from accounts.staff import has_public_profile

register = template.Library()


@register.filter(name="public_name")
def public_name_filter(user):
    """{{ user|public_name }}: display name, full name or username; "deleted user" for None."""
    return public_name(user)


@register.filter(name="has_public_profile")
def has_public_profile_filter(user):
    """{% if user|has_public_profile %}: readers have one at /people/, staff do not."""
    return has_public_profile(user)


@register.inclusion_tag("accounts/avatar.html")
def avatar(user, size="small"):
    """The user's avatar thumbnail, or their initial in a circle."""
    name = public_name(user)
    return {"url": avatar_url(user), "initial": name[:1].upper(), "name": name, "size": size}
