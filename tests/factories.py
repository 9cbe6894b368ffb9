"""Factories for pages, snippets and users. Pages are added under their parent
(the site's HomePage by default) and are live, as Wagtail's add_child leaves
them; `publish()` gives them a real revision when a test needs one."""

import datetime
from decimal import Decimal

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from blog.models import ArticleIndexPage, ArticlePage, Author, BlogCategory, BlogIndexPage, PostPage
from home.models import HomePage, StandardPage
from shop.checkout import CustomerDetails
from shop.models import ProductCategoryPage, ProductPage, ShopIndexPage


def home_page():
    return HomePage.objects.get()


def publish(page, user=None):
    """Save a revision of the page and publish it; returns the fresh page."""
    page.save_revision(user=user).publish(user=user)
    return type(page).objects.get(pk=page.pk)


def paragraph(text):
    return ("paragraph", f"<p>{text}</p>")


def heading(text, level="h2", anchor=""):
    return ("heading", {"text": text, "level": level, "anchor": anchor})


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("pw")

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Picture {n}")
    file = factory.django.ImageField(width=640, height=400, color="teal")


class AuthorFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    bio = "Writes about things that last."

    class Meta:
        model = Author


class BlogCategoryFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    class Meta:
        model = BlogCategory


class BlogIndexPageFactory(wagtail_factories.PageFactory):
    title = "Blog"
    slug = factory.Sequence(lambda n: f"blog-{n}")
    parent = factory.LazyFunction(home_page)
    intro = "Short posts."

    class Meta:
        model = BlogIndexPage


class PostPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    intro = "A short introduction to the post."
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    body = factory.LazyFunction(
        lambda: [heading("First things"), paragraph("Plain words in a paragraph.")]
    )

    class Meta:
        model = PostPage


class ArticleIndexPageFactory(wagtail_factories.PageFactory):
    title = "Articles"
    slug = factory.Sequence(lambda n: f"articles-{n}")
    parent = factory.LazyFunction(home_page)

    class Meta:
        model = ArticleIndexPage


class ArticlePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    standfirst = "What this long read is about."
    date = factory.Sequence(lambda n: datetime.date(2026, 2, 1) + datetime.timedelta(days=n))
    body = factory.LazyFunction(
        lambda: [
            heading("Beginnings"),
            paragraph("How it started."),
            heading("Details", level="h3"),
            paragraph("What happened next."),
            heading("Endings"),
            paragraph("How it ended."),
        ]
    )

    class Meta:
        model = ArticlePage


class ShopIndexPageFactory(wagtail_factories.PageFactory):
    title = "Shop"
    slug = factory.Sequence(lambda n: f"shop-{n}")
    parent = factory.LazyFunction(home_page)

    class Meta:
        model = ShopIndexPage


class ProductCategoryPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Category page {n}")
    slug = factory.Sequence(lambda n: f"category-page-{n}")
    description = "Things of one kind."

    class Meta:
        model = ProductCategoryPage


class ProductPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    sku = factory.Sequence(lambda n: f"PR-TST-{n:03d}")
    price = Decimal("24.00")
    short_description = "A well-made thing."
    stock_quantity = 20

    class Meta:
        model = ProductPage


class StandardPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Standard page {n}")
    slug = factory.Sequence(lambda n: f"standard-{n}")
    parent = factory.LazyFunction(home_page)
    intro = "An ordinary page."

    class Meta:
        model = StandardPage


def customer_details(**overrides):
    """A guest's contact details and shipping address for checkout."""
    values = {
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
        "address_line1": "12 St James's Square",
        "postal_code": "SW1Y 4JH",
        "city": "London",
        "country": "United Kingdom",
    }
    return CustomerDetails(**{**values, **overrides})


def save_ai_tag_status(queryset, status):
    """Give each AI tag in `queryset` `status` with save(), as an editor's
    decision in the admin does (so readers' cached pages change too)."""
    for ai_tag in queryset:
        ai_tag.status = status
        ai_tag.save(update_fields=["status"])
