"""Front-end hooks for every page type."""

from django.http import Http404
from wagtail import hooks

from core.privacy import has_expired


@hooks.register("before_serve_page")
def expired_pages_are_not_found(page, request, serve_args, serve_kwargs):
    """A page past its expiry time is a 404 at once, like an unpublished page,
    not only after `publish_scheduled` next unpublishes it. Sub-routes of a
    routable page (its feeds) go with it."""
    if has_expired(page):
        raise Http404("This page has expired.")
