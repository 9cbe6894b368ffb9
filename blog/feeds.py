"""RSS 2.0 and Atom feeds of a section's live, public pages."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

FEED_LENGTH = 30
FEED_TYPES = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


class SectionFeed(Feed):
    """A feed of `items` (already filtered to live, public pages) of one index page."""

    def __init__(self, index_page, items, flavour, tag=None):
        super().__init__()
        self.index_page = index_page
        self.items_queryset = items
        self.feed_type = FEED_TYPES[flavour]
        self.tag = tag

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        suffix = f": {self.tag}" if self.tag else ""
        return f"{self.index_page.title}{suffix}"

    def link(self):
        return self.index_page.get_full_url(self.request)

    def feed_url(self):
        return self.request.build_absolute_uri(self.request.path)

    def description(self):
        return self.index_page.get_summary() or self.index_page.title

    def items(self):
        return self.items_queryset[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.get_summary()

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.author_names() or None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]
