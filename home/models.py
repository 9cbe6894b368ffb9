"""The home page, the abstract page every page type extends, and site settings."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch
from rest_framework.fields import CharField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from api.fields import CARD_RENDITION, ListingImageField, VisibleTagsField
from core.capabilities import Indexable, Taggable
from core.content_cache import cached
from core.editorial import EDITORS, PUBLISH
from core.privacy import has_expired, may_have_view_restrictions
from home.blocks import BodyBlock, HomePageBodyBlock


def images_with_renditions():
    """Images with all their renditions, so {% picture %} needs no more queries."""
    return get_image_model().objects.prefetch_renditions()


def page_at(url_path):
    """The specific page stored at `url_path`, or None, read once per content
    version: every write to a page row (publishing, unpublishing, moving,
    a new slug) bumps it, and the cache hands each request its own copy."""

    def read():
        location = (
            Page.objects.filter(url_path=url_path).values_list("content_type_id", "pk").first()
        )
        if location is None:
            return None
        content_type_id, pk = location
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            return None  # a page type whose app is gone
        return model.objects.filter(pk=pk).first()

    # Only found pages are kept (cached() keeps no None): a crawler's made-up
    # paths fill nothing.
    return cached("page-at", read, hashlib.sha256(url_path.encode()).hexdigest())


class BasePage(Indexable, Taggable, Page):
    """Abstract base for every public page type: listing and sharing metadata.

    Listing pages show `listing_title`, `listing_summary` and `listing_image`
    in cards; social networks get `social_image`. Each falls back to the
    page's own fields so editors only fill them in to override. Every page is
    `Indexable` and `Taggable` (core.capabilities); a type declares more
    (`Commentable`, `Askable`) in its own class line.
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

    # The headless API (api/): what every page type shows; types add theirs.
    api_fields = [
        APIField("listing_title"),
        APIField("summary", serializer=CharField(source="get_summary", read_only=True)),
        APIField("picture", serializer=ListingImageField(CARD_RENDITION)),
        APIField("tags", serializer=VisibleTagsField()),
    ]

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

    @classmethod
    def listing_prefetches(cls):
        """What a card of this page type reads, for prefetch_related()."""
        return [Prefetch("social_image", queryset=images_with_renditions())]

    def route(self, request, path_components):
        """Resolve a deep URL in one query by the stored url_path.

        Wagtail's default walks the tree one level (and one or two queries) at
        a time. When the remaining path names a page outright, jump to it; when
        it does not (a routable page's own sub-route such as /blog/feed/, or a
        404), fall back to the default walk.
        """
        if path_components:
            target = page_at(self.url_path + "/".join(path_components) + "/")
            if target is not None and target.path.startswith(self.path):
                return target.route(request, [])
        return super().route(request, path_components)

    def get_view_restrictions(self):
        """Wagtail's view restrictions on this page and its ancestors, without
        a query for the (most) pages that none can apply to."""
        if not may_have_view_restrictions(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_sitemap_urls(self, request=None):
        """Wagtail's sitemap entries, none once the page's expiry time has
        passed (before `publish_scheduled` unpublishes it)."""
        if has_expired(self):
            return []
        return super().get_sitemap_urls(request)

    def notification_recipients(self):
        """Who is told about this page (comments, likes, publishing, AI tags)."""
        return [self.owner] if self.owner_id else []

    def parent_url(self):
        """The parent page's URL, derived from this page's (no query).

        Wagtail's URL paths mirror the page tree, so dropping the last
        segment gives the parent, which listings link back to for filters.
        """
        url = self.url or "/"
        trimmed = url.rstrip("/")
        return trimmed[: trimmed.rfind("/") + 1] or "/"


class HomePage(BasePage):
    """The site root: a hero, featured items and text, arranged by editors."""

    body = StreamField(HomePageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    api_fields = [*BasePage.api_fields, APIField("body")]

    # Child types are not listed here: each page type names its parents, so a
    # new section is added in its own app without touching this one.
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    # Editors look after the whole site; the review workflow applies to the
    # sections below, where authors and shop managers work.
    section_permissions = {EDITORS: PUBLISH}
    section_workflow = False

    class Meta:
        verbose_name = "home page"


class StandardPage(BasePage):
    """A plain content page (About, Contact, Terms) built from the shared blocks."""

    intro = models.TextField(blank=True, max_length=500)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    api_fields = [*BasePage.api_fields, APIField("intro"), APIField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = "standard page"

    def get_summary(self):
        return self.listing_summary or self.search_description or self.intro


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

    @classmethod
    def for_site(cls, site):
        """Wagtail's get-or-create of the site's settings, read once per
        content version (a change bumps it, see home/apps.py)."""
        if site is None:
            return super().for_site(site)

        def read():
            return super(SiteSettings, cls).for_site(site)

        return cached("site-settings", read, site.pk)

    class Meta:
        verbose_name = "site settings"
