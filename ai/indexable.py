"""The one interface a page implements to be indexed by the AI pipeline.

`ai` knows nothing of blog or shop: any page whose specific class is
`core.capabilities.Indexable` is chunked, embedded and tagged. `Indexable`
(part of `home.models.BasePage`) provides a default `get_index_sections()`
that walks the page's lead and `body` StreamField, so most page types need
nothing; products override it to add price and availability.
"""

from typing import Protocol

from core.capabilities import Indexable


class IndexSection(Protocol):
    """A run of text under one heading."""

    heading_path: list  # e.g. ["Where the water starts", "Reservoirs"]
    anchor: str  # the id of the heading element, for citations ("" for the lead)
    text: str


def index_sections(page):
    """The page's sections, or None when its type does not take part."""
    if not isinstance(page, Indexable):
        return None
    return list(page.get_index_sections())
