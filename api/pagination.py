"""Wagtail's ?limit=/?offset= pagination with an upper bound on the offset,
so a huge number is a 400, not a database error."""

from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError

MAX_OFFSET = 1_000_000


class BoundedPagination(WagtailPagination):
    """WagtailPagination (limit up to WAGTAILAPI_LIMIT_MAX) with offset ≤ MAX_OFFSET."""

    def paginate_queryset(self, queryset, request, view=None):
        offset = request.GET.get("offset", "0")
        if offset.strip().isdecimal() and int(offset) > MAX_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        return super().paginate_queryset(queryset, request, view)
