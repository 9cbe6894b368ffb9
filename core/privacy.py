"""Query-time privacy filters for pages.

Wagtail's `PageQuerySet.public()` first loads every view restriction in a
separate query and builds the filter in Python, so each call costs a query.
`public_pages()` expresses the same rule as one correlated subquery (a page is
private when any view restriction sits on it or on one of its ancestors), so
listings stay within their query budget and the rule is checked at the moment
the query runs.

Expiry is checked the same way. Wagtail only unpublishes a page whose
`expire_at` has passed when `publish_scheduled` next runs (a beat tick, up to
a minute later); until then the page is still `live`. Every filter here
treats it as gone from the moment its expiry time passes.
"""

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import CollectionViewRestriction, PageViewRestriction

from core.content_cache import cached


def restricted_q(path_field="path"):
    """An Exists() that is true for pages under (or at) a view restriction.

    `path_field` names the page's tree path from the queried model, e.g.
    "page__path" when filtering rows that point at a page.
    """
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef(path_field), 1, Length(F("page__path")))
        )
    )


def expired_q(prefix=""):
    """A Q true for pages whose expiry time has passed, unpublished yet or not.

    `prefix` reaches the page from the queried model, e.g. "page__".
    """
    return Q(**{f"{prefix}expire_at__lte": timezone.now()})


def has_expired(page):
    """True when `page`'s expiry time has passed: readers no longer see it."""
    return page.expire_at is not None and page.expire_at <= timezone.now()


def public_pages(queryset):
    """Only the pages of `queryset` readers may see now: no view restriction
    covers them and their expiry time, if any, has not passed."""
    return queryset.exclude(expired_q()).exclude(restricted_q())


def on_public_pages(queryset):
    """Rows (chunks, vectors, ...) whose `page` is live, not expired and not
    view-restricted."""
    return (
        queryset.filter(page__live=True)
        .exclude(expired_q("page__"))
        .exclude(restricted_q("page__path"))
    )


def restricted_collection_q(path_field="collection__path"):
    """An Exists() true for rows (images, documents) whose collection, or an
    ancestor of it, has a view restriction, whoever asks."""
    return Exists(
        CollectionViewRestriction.objects.filter(
            collection__path=Substr(OuterRef(path_field), 1, Length(F("collection__path")))
        )
    )


def outside_restricted_collections(queryset):
    """Only the images or documents of `queryset` in unrestricted collections."""
    return queryset.exclude(restricted_collection_q())


def visible_page(page_id):
    """The live page with this id that readers may see now, or None."""
    from wagtail.models import Page

    return public_pages(Page.objects.live().filter(pk=page_id)).first()


def restriction_paths():
    """(paths of view-restricted pages, paths of alias pages), read once per
    content version: a restriction or an alias written bumps it."""
    from wagtail.models import Page

    def compute():
        return (
            tuple(PageViewRestriction.objects.values_list("page__path", flat=True)),
            tuple(Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True)),
        )

    return cached("restriction-paths", compute)


def may_have_view_restrictions(page):
    """False when no view restriction sits on `page` or an ancestor and no
    alias is involved (an alias takes its source's restrictions), so the
    restriction query can be skipped; True when it must run."""
    restricted, aliases = restriction_paths()
    return any(page.path.startswith(path) for path in (*restricted, *aliases))
