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


def restricted_q():
    """An Exists() that is true for pages under (or at) a view restriction."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length(F("page__path")))
        )
    )


def public_pages(queryset):
    """Only the pages of `queryset` that no view restriction covers."""
    return queryset.exclude(restricted_q())
