"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from core.content_cache import content_version as current_content_version


def content_version(request):
    """`content_version` for `{% cache %}` keys; read from the cache only if used."""
    return {"content_version": SimpleLazyObject(current_content_version)}
