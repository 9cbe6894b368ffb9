"""The home page, the abstract page every page type extends, and site settings."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import HomePageBodyBlock


class BasePage(Page):
    """Abstract base for every public page type: listing and sharing metadata.

    Listing pages show `listing_title`, `listing_summary` and `listing_image`
    in cards; social networks get `social_image`. Each falls back to the
    page's own fields so editors only fill them in to override.
    """

    listing_title = models.CharField(
        max_length=120, blank=True, help_text="Shorter title for cards; defaults to the title."
    )
    listing_summary = models.TextField(
        max_length=300, blank=True, help_text="One or two sentences for cards and search results."
    )
    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared (1200x630 works best).",
    )

    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [
                FieldPanel("listing_title"),
                FieldPanel("listing_summary"),
                FieldPanel("social_image"),
            ],
            heading="Listings and sharing",
        ),
    ]

    search_fields = [*Page.search_fields, index.SearchField("listing_summary")]

    class Meta:
        abstract = True

    def get_listing_title(self):
        """The title used in cards and menus."""
        return self.listing_title or self.title

    def get_summary(self):
        """A plain-text summary for cards, meta descriptions and feeds."""
        return self.listing_summary or self.search_description or ""

    def get_listing_image(self):
        """The image for cards and social sharing, or None."""
        return self.social_image


class HomePage(BasePage):
    """The site root: a hero, featured items and text, arranged by editors."""

    body = StreamField(HomePageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"


SOCIAL_NETWORKS = [
    ("mastodon", "Mastodon"),
    ("bluesky", "Bluesky"),
    ("github", "GitHub"),
    ("linkedin", "LinkedIn"),
    ("youtube", "YouTube"),
    ("rss", "RSS"),
    ("other", "Elsewhere"),
]


class SocialLinkValue(blocks.StructValue):
    def label(self):
        return dict(SOCIAL_NETWORKS).get(self.get("network"), "Link")


class SocialLinkBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(choices=SOCIAL_NETWORKS)
    url = blocks.URLBlock()

    class Meta:
        icon = "link"
        value_class = SocialLinkValue


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    """Name, tagline, logo and social links shown in the header and footer."""

    name = models.CharField(max_length=80, default="Pressroom")
    tagline = models.CharField(max_length=160, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    social_links = StreamField([("link", SocialLinkBlock())], blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("tagline"),
        FieldPanel("logo"),
        FieldPanel("social_links"),
    ]

    class Meta:
        verbose_name = "site settings"
