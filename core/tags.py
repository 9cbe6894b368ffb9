"""Tags readers see, from every source: editors' tags on the page, plus the
sources other apps register (the AI's suggestions, from `ai`).

Pages only know `core.capabilities.Taggable`; listings filter and list tags
through `tagged_with()` and `tags_in_use()`. A source registers itself from
its AppConfig.ready(), so content apps never import the app behind it.
"""

import unicodedata
from typing import Protocol

from django.db.models import Q
from taggit.models import Tag


class TagSource(Protocol):
    """Where extra tags come from (e.g. `ai.tagging.AITagSource`)."""

    def tags_for(self, page) -> list:
        """The source's tags readers may see on `page` (taggit Tag objects)."""

    def pages_tagged(self, slug):
        """A queryset of page ids the source tags with `slug`, visibly."""

    def tag_ids_on(self, page_ids):
        """A queryset of ids of the tags the source shows on those pages."""


_sources = []


def register_tag_source(source):
    """Add a TagSource (idempotent: a source registers once)."""
    if source not in _sources:
        _sources.append(source)


def normalise_tag(value):
    """A tag in canonical form: NFKC, lowercase, single-spaced, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).lower().split())


def visible_tags(page):
    """The tags readers see on `page`: editors' first, then each source's,
    without two that read the same."""
    editor_tags = list(page.tags.all()) if hasattr(page, "tags") else []
    seen = {normalise_tag(tag.name) for tag in editor_tags}
    shown = list(editor_tags)
    for source in _sources:
        for tag in source.tags_for(page):
            if normalise_tag(tag.name) not in seen:
                seen.add(normalise_tag(tag.name))
                shown.append(tag)
    return shown


def tagged_with(slug):
    """A filter for pages tagged `slug` by editors or visibly by a source.

    For page querysets whose model has a `tagged_items` tag relation.
    """
    condition = Q(tagged_items__tag__slug=slug)
    for source in _sources:
        condition |= Q(pk__in=source.pages_tagged(slug))
    return condition


def tags_in_use(through_model, page_ids):
    """(slug, name) of every tag readers can see on the given pages."""
    condition = Q(pk__in=through_model.objects.filter(content_object__in=page_ids).values("tag"))
    for source in _sources:
        condition |= Q(pk__in=source.tag_ids_on(page_ids))
    return Tag.objects.filter(condition).values_list("slug", "name")


def tagged_by_sources(slug):
    """A filter for any page queryset (no tag relation needed): pages that a
    registered source tags `slug`, visibly."""
    condition = Q(pk__in=[])
    for source in _sources:
        condition |= Q(pk__in=source.pages_tagged(slug))
    return condition
