"""`{% deferred_csrf_token %}`: a CSRF field that keeps a page cacheable."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

register = template.Library()

DEFERRED_FIELD = '<input type="hidden" name="csrfmiddlewaretoken" value="{}" data-csrf-deferred>'


@register.simple_tag(takes_context=True)
def deferred_csrf_token(context):
    """The CSRF field: for a signed-in reader (never served from the page
    cache) with the token, for anyone else empty, filled in by site.js."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
    return format_html(DEFERRED_FIELD, "")
