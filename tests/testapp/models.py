"""EventPage: the README's "Add a page type" example, used only by tests."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from core.capabilities import Askable, Commentable
from home.blocks import BodyBlock
from home.models import BasePage


class EventPage(Commentable, Askable, BasePage):
    """A dated event with a venue, built from the shared blocks. Readers
    comment on it and ask about it (declared capabilities); like every page
    it is indexed for search by meaning and tagged."""

    starts_at = models.DateTimeField()
    venue = models.CharField(max_length=200)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("starts_at"),
        FieldPanel("venue"),
        FieldPanel("body"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("venue"), index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    search_filter = ("events", "Events")

    def get_summary(self):
        return self.listing_summary or f"{self.venue}, {self.starts_at:%d %B %Y}"
