"""The bell in the site header and how it words times."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    """The bell with the unread count (one query), for signed-in readers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread_count": unread_count(user), "request": request}


@register.filter
def time_ago(moment):
    """ "just now" within a minute, else Django's "5 minutes ago"."""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
