"""The one interface a page implements to be indexed by the AI pipeline.

`ai` knows nothing of blog or shop: any page whose specific class has
`get_index_sections()` is chunked, embedded and tagged. `home.models.BasePage`
provides a default that walks the page's `body` StreamField and rich text,
so most page types need nothing; products override it to add price and
availability.
"""

from typing import Protocol


class IndexSection(Protocol):
    """A run of text under one heading."""

    heading_path: list  # e.g. ["Where the water starts", "Reservoirs"]
    anchor: str  # the id of the heading element, for citations ("" for the lead)
    text: str


class Indexable(Protocol):
    def get_index_sections(self) -> list[IndexSection]: ...


def index_sections(page):
    """The page's sections, or None when its type does not take part."""
    method = getattr(page, "get_index_sections", None)
    if method is None:
        return None
    return list(method())
