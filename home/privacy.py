"""Query-time privacy filters for pages.

Wagtail's `PageQuerySet.public()` first loads every view restriction in a
separate query and builds the filter in Python, so each call costs a query.
`public_pages()` expresses the same rule as one correlated subquery (a page is
private when any view restriction sits on it or on one of its ancestors), so
listings stay within their query budget and the rule is checked at the moment
the query runs.
"""

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr
from wagtail.models import PageViewRestriction


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


def public_pages(queryset):
    """Only the pages of `queryset` that no view restriction covers."""
    return queryset.exclude(restricted_q())


def on_public_pages(queryset):
    """Rows (chunks, vectors, ...) whose `page` is live and not view-restricted."""
    return queryset.filter(page__live=True).exclude(restricted_q("page__path"))
