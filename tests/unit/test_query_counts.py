"""Query budgets: listings cost the same with 5 or 50 children; a reader's
page view, Wagtail's routing included, costs at most 2 queries anonymous and
5 signed in (session, account, cart count, unread count, profile) once its
shared fragments are cached (every view but the first after a change), and
the first view after a change stays bounded."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import ProductImage
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ImageFactory,
    PostPageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

ANONYMOUS_VIEW_BUDGET = 2
SIGNED_IN_VIEW_BUDGET = 5
# Nothing cached at all: the first view of a page after any change.
FIRST_VIEW_BUDGET = 25


@pytest.fixture(autouse=True)
def _render_every_view(settings):
    """These budgets are for rendering a page; the anonymous page cache
    (tests/unit/core/test_page_cache.py) would answer with no query at all."""
    settings.PAGE_CACHE_SECONDS = 0


def queries_for(client, url, **params):
    """Queries of a steady-state view: renditions exist and the fragment cache
    (menu, breadcrumbs, filter menus) is warm, as on every view but the first
    after a publish."""
    client.get(url, params)
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def add_posts(blog, count):
    author = AuthorFactory()
    category = BlogCategoryFactory()
    for _ in range(count):
        post = PostPageFactory(parent=blog, hero_image=ImageFactory(), category=category)
        post.authors.set([author])
        post.tags.set(["bread", "craft"])
        publish(post)


def add_products(category, count):
    for _ in range(count):
        product = ProductPageFactory(parent=category)
        ProductImage.objects.create(product=product, image=ImageFactory(), sort_order=0)
        product.tags.set(["paper"])
        publish(product)


@pytest.mark.parametrize("kind", ["blog", "articles", "category", "shop"])
def test_listing_queries_do_not_grow_with_children(client, kind):
    counts = []
    for size in (5, 50):
        if kind == "blog":
            index = BlogIndexPageFactory()
            add_posts(index, size)
        elif kind == "articles":
            index = ArticleIndexPageFactory()
            for _ in range(size):
                article = ArticlePageFactory(parent=index, hero_image=ImageFactory())
                article.authors.set([AuthorFactory()])
                article.tags.set(["cities"])
                publish(article)
        else:
            shop = ShopIndexPageFactory()
            index = ProductCategoryPageFactory(parent=shop)
            add_products(index, size)
            if kind == "shop":
                index = shop
        counts.append(queries_for(client, index.url))
        index.delete()
    assert counts[0] == counts[1], counts
    assert counts[1] <= ANONYMOUS_VIEW_BUDGET, counts


def test_detail_pages_stay_within_budget(client):
    blog = BlogIndexPageFactory()
    add_posts(blog, 3)
    post = blog.get_children().last().specific
    articles = ArticleIndexPageFactory()
    article = ArticlePageFactory(parent=articles, hero_image=ImageFactory())
    article.authors.set([AuthorFactory()])
    article.tags.set(["water"])
    related = publish(ArticlePageFactory(parent=articles, hero_image=ImageFactory()))
    article.related_links.create(page=related, sort_order=0)
    article = publish(article)
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    add_products(category, 3)
    product = category.get_children().last().specific

    urls = ("/", post.url, article.url, product.url)

    anonymous = {url: queries_for(client, url) for url in urls}  # renditions exist now
    assert all(count <= ANONYMOUS_VIEW_BUDGET for count in anonymous.values()), anonymous

    first = {}
    for url in urls:
        cache.clear()  # as after a change: a new content version
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        first[url] = len(captured)
    assert all(count <= FIRST_VIEW_BUDGET for count in first.values()), first

    client.force_login(UserFactory())
    signed_in = {url: queries_for(client, url) for url in urls}
    assert all(count <= SIGNED_IN_VIEW_BUDGET for count in signed_in.values()), signed_in
