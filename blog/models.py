"""Blog posts and long-form articles, their index pages, authors and taxonomy."""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from rest_framework.fields import BooleanField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable
from wagtail.search import index

from api.fields import (
    LARGE_RENDITION,
    AuthorsField,
    NamedSnippetField,
    PageLinksField,
    RelatedPagesField,
)
from blog.blocks import EditorialBodyBlock
from blog.feeds import SectionFeed
from core.capabilities import Askable, Commentable
from core.editorial import AUTHORS, EDITORS, PUBLISH, WRITE
from core.listing import (
    SortOption,
    chosen_sort,
    clean_filter,
    filter_fields,
    paginate_listing,
    query_string_without_page,
)
from core.plaintext import reading_time_minutes, stream_text
from core.privacy import public_pages
from core.tags import tagged_with, tags_in_use
from home.models import BasePage, images_with_renditions

# Snippets -------------------------------------------------------------------


class Author(index.Indexed, models.Model):
    """A person credited on posts and articles, optionally linked to a user."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, max_length=1000)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The account that receives notifications about this author's pages.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class BlogCategory(models.Model):
    """One category per post: the broad section it belongs to."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = "blog category"
        verbose_name_plural = "blog categories"

    def __str__(self):
        return self.name


class Series(models.Model):
    """A run of articles published under one banner."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name


class PostPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.PostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


# Shared behaviour -------------------------------------------------------------


def author_choices(pages):
    """(slug, name) of the authors credited on the given pages."""
    return Author.objects.filter(pk__in=pages.values("authors")).values_list("slug", "name")


class EditorialPage(Commentable, Askable, BasePage):
    """Fields and behaviour shared by posts and articles: readers comment on
    them and ask the assistant about them (core.capabilities)."""

    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_alt_text = models.CharField(
        max_length=250, blank=True, help_text="Describe the hero image; empty if decorative."
    )
    body = StreamField(EditorialBodyBlock(), blank=True)
    authors = ParentalManyToManyField("blog.Author", blank=True, related_name="+")
    date = models.DateField("publication date", default=timezone.localdate)
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False)

    api_fields = [
        *BasePage.api_fields,
        APIField("date"),
        APIField("authors", serializer=AuthorsField()),
        APIField("hero_image", serializer=ImageRenditionField(LARGE_RENDITION)),
        APIField("hero_alt_text"),
        APIField("reading_time"),
        APIField("body"),
        APIField("related", serializer=RelatedPagesField()),
    ]

    og_type = "article"
    show_in_related = True  # recommended by the AI's related content
    assistant_panel = True  # readers can ask the assistant about it

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.reading_time = reading_time_minutes(self.lead_text(), stream_text(self.body))
        super().save(*args, **kwargs)

    def get_summary(self):
        return self.listing_summary or self.search_description or self.lead_text()

    def get_listing_image(self):
        return self.social_image or self.hero_image

    @classmethod
    def listing_prefetches(cls):
        return [
            *super().listing_prefetches(),
            Prefetch("hero_image", queryset=images_with_renditions()),
            "authors",
        ]

    @cached_property
    def author_list(self):
        """The credited authors, fetched once per page view."""
        return list(self.authors.all())

    def notification_recipients(self):
        """The credited authors' accounts, and the page's owner."""
        users = {author.user for author in self.author_list if author.user_id}
        if self.owner_id:
            users.add(self.owner)
        return list(users)

    def author_names(self):
        return ", ".join(author.name for author in self.author_list)

    def json_ld_authors(self):
        return [{"@type": "Person", "name": author.name} for author in self.author_list]

    def json_ld_details(self):
        """Type-specific JSON-LD properties (category, series, ...)."""
        return {}

    def kicker_filter(self):
        """The grouping shown above the title, as a link to the filtered index."""
        name, _, _ = self.get_parent_index_class().grouping
        group = getattr(self, name)
        if group is None:
            return None
        return {"filter": name, "slug": group.slug, "label": group.name}

    def get_json_ld(self, request=None):
        """schema.org metadata: BlogPosting for posts, Article for articles."""
        url = self.get_full_url(request)
        return {
            "@context": "https://schema.org",
            "@type": self.schema_type,
            "headline": self.title[:110],
            "description": self.get_summary(),
            "datePublished": self.date.isoformat(),
            "dateModified": (self.last_published_at or timezone.now()).isoformat(),
            "author": self.json_ld_authors(),
            "keywords": [tag.name for tag in self.visible_tags],
            "url": url,
            "mainEntityOfPage": url,
            **self.json_ld_details(),
        }


# Blog ------------------------------------------------------------------------


class EditorialIndexPage(RoutablePageMixin, BasePage):
    """An index of posts or articles: cards newest first, filterable by tag,
    author and one grouping (category or series), with RSS and Atom feeds.

    Subclasses name their child page type, its tag model and the grouping.
    """

    intro = models.TextField(blank=True, max_length=500)

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    api_fields = [*BasePage.api_fields, APIField("intro")]
    parent_page_types = ["home.HomePage"]
    section_permissions = {AUTHORS: WRITE, EDITORS: PUBLISH}

    SORTS = [
        SortOption("newest", "Newest first", ("-date", "-pk")),
        SortOption("oldest", "Oldest first", ("date", "pk")),
        SortOption("title", "Title A to Z", ("title", "pk")),
    ]
    item_label = "items"  # the plural readers see, for empty states

    class Meta:
        abstract = True

    # What subclasses provide -------------------------------------------------

    @classmethod
    def child_model(cls):
        raise NotImplementedError

    @classmethod
    def tag_model(cls):
        raise NotImplementedError

    # (query-string name and label, and the snippet model of the grouping)
    grouping = None

    # Shared behaviour --------------------------------------------------------

    def get_summary(self):
        return self.listing_summary or self.search_description or self.intro

    def items(self):
        """Live, public children with what their cards need, prefetched."""
        name, _, _ = self.grouping
        model = self.child_model()
        return (
            public_pages(model.objects.child_of(self).live())
            .select_related(name)
            .prefetch_related(*model.listing_prefetches())
        )

    def listing_items(self):
        """Newest first, ready for cards (the home page's latest items)."""
        return self.items().order_by("-date", "-pk")

    def filtered_items(self, request, items):
        """Items narrowed by ?tag=, ?author= and the grouping, ordered by ?sort=."""
        group_name, _, _ = self.grouping
        filters = {name: clean_filter(request, name) for name in ("tag", group_name, "author")}
        if filters["tag"]:
            items = items.filter(tagged_with(filters["tag"]))
        if filters[group_name]:
            items = items.filter(**{f"{group_name}__slug": filters[group_name]})
        if filters["author"]:
            items = items.filter(authors__slug=filters["author"])
        sort = chosen_sort(request, self.SORTS)
        return items.order_by(*sort.ordering).distinct(), filters, sort

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        live_items = self.items()
        items, filters, sort = self.filtered_items(request, live_items)
        group_name, group_label, group_model = self.grouping
        context.update(
            {
                "items": paginate_listing(request, self, items),
                "filters": filters,
                "sort": sort,
                "sorts": self.SORTS,
                "query_prefix": query_string_without_page(request),
                "filter_fields": filter_fields(
                    self,
                    filters,
                    [
                        (
                            "tag",
                            "Tag",
                            lambda: tags_in_use(self.tag_model(), live_items.values("pk")),
                        ),
                        (
                            group_name,
                            group_label,
                            lambda: group_model.objects.filter(
                                pk__in=live_items.values(group_name)
                            ).values_list("slug", "name"),
                        ),
                        ("author", "Author", lambda: author_choices(live_items)),
                    ],
                ),
            }
        )
        return context

    def feed_response(self, request, flavour, tag=None):
        items = self.items()
        if tag:
            items = items.filter(tagged_with(tag))
        return SectionFeed(self, items.order_by("-date", "-pk"), flavour, tag=tag)(request)

    @path("feed/", name="feed")
    def rss_feed(self, request):
        return self.feed_response(request, "rss")

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        return self.feed_response(request, "atom")

    @path("tag/<slug:tag>/feed/", name="tag_feed")
    def tag_rss_feed(self, request, tag):
        return self.feed_response(request, "rss", tag)

    @path("tag/<slug:tag>/feed/atom/", name="tag_atom_feed")
    def tag_atom_feed(self, request, tag):
        return self.feed_response(request, "atom", tag)


class BlogIndexPage(EditorialIndexPage):
    """The blog: posts newest first, filterable by tag, category and author."""

    subpage_types = ["blog.PostPage"]
    grouping = ("category", "Category", BlogCategory)
    item_label = "posts"
    # Wagtail derives each page class's template from its own name.
    template = "blog/editorial_index_page.html"

    class Meta:
        verbose_name = "blog index page"

    @classmethod
    def child_model(cls):
        return PostPage

    @classmethod
    def tag_model(cls):
        return PostPageTag


class PostPage(EditorialPage):
    """A blog post."""

    search_filter = ("posts", "Posts")

    intro = models.TextField(max_length=500, help_text="One or two sentences under the title.")
    tags = ClusterTaggableManager(through=PostPageTag, blank=True)
    category = models.ForeignKey(
        "blog.BlogCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    comments_enabled = models.BooleanField(default=True)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt_text")], heading="Hero"),
        FieldPanel("body"),
    ]
    settings_panels = [
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("category"),
                FieldPanel("tags"),
                FieldPanel("comments_enabled"),
            ],
            heading="Post details",
        ),
        *BasePage.settings_panels,
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    api_fields = [
        *EditorialPage.api_fields,
        APIField("intro"),
        APIField("category", serializer=NamedSnippetField()),
        APIField("comments_enabled", serializer=BooleanField(read_only=True)),
    ]

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []

    schema_type = "BlogPosting"

    class Meta:
        verbose_name = "post"

    def lead_text(self):
        return self.intro

    @staticmethod
    def get_parent_index_class():
        return BlogIndexPage

    @property
    def card_kicker(self):
        return self.category.name if self.category_id and self.category else ""

    def json_ld_details(self):
        return {"articleSection": self.category.name if self.category else None}


# Articles --------------------------------------------------------------------


class ArticleIndexPage(EditorialIndexPage):
    """Long reads, filterable by tag, series and author."""

    subpage_types = ["blog.ArticlePage"]
    grouping = ("series", "Series", Series)
    item_label = "articles"
    template = "blog/editorial_index_page.html"

    class Meta:
        verbose_name = "article index page"

    @classmethod
    def child_model(cls):
        return ArticlePage

    @classmethod
    def tag_model(cls):
        return ArticlePageTag


class ArticlePage(EditorialPage):
    """A long-form article with a table of contents and related reading."""

    search_filter = ("articles", "Articles")

    standfirst = models.TextField(max_length=500, help_text="The summary under the headline.")
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    series = models.ForeignKey(
        "blog.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("standfirst"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt_text")], heading="Hero"),
        FieldPanel("body"),
        InlinePanel("related_links", label="Related articles", max_num=4),
    ]
    settings_panels = [
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("series"),
                FieldPanel("tags"),
            ],
            heading="Article details",
        ),
        *BasePage.settings_panels,
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    api_fields = [
        *EditorialPage.api_fields,
        APIField("standfirst"),
        APIField("series", serializer=NamedSnippetField()),
        APIField("related_articles", serializer=PageLinksField()),
    ]

    parent_page_types = ["blog.ArticleIndexPage"]
    subpage_types = []

    schema_type = "Article"

    class Meta:
        verbose_name = "article"

    def lead_text(self):
        return self.standfirst

    @staticmethod
    def get_parent_index_class():
        return ArticleIndexPage

    @property
    def card_kicker(self):
        return self.series.name if self.series_id and self.series else ""

    def table_of_contents(self):
        """Heading entries of the body: text, anchor and level, in order."""
        return [
            {
                "text": block.value["text"],
                "anchor": block.value.anchor_id(),
                "level": 3 if block.value.get("level") == "h3" else 2,
            }
            for block in self.body
            if block.block_type == "heading"
        ]

    def related_articles(self):
        """The live, public articles editors linked to, in their order."""
        ids = [link.page_id for link in self.related_links.all() if link.page_id]
        if not ids:
            return []
        found = {
            page.pk: page
            for page in public_pages(ArticlePage.objects.filter(pk__in=ids).live())
            .select_related("series")
            .prefetch_related(*ArticlePage.listing_prefetches())
        }
        return [found[pk] for pk in ids if pk in found]

    def json_ld_details(self):
        if not self.series:
            return {}
        return {"isPartOf": {"@type": "CreativeWorkSeries", "name": self.series.name}}


class RelatedArticle(Orderable):
    """An editor's pick of related reading, shown under an article."""

    article = ParentalKey(
        "blog.ArticlePage", on_delete=models.CASCADE, related_name="related_links"
    )
    page = models.ForeignKey(
        "blog.ArticlePage", on_delete=models.CASCADE, related_name="+", verbose_name="article"
    )

    panels = [FieldPanel("page")]
