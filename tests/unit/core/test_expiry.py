"""Expiry is enforced when a page is asked for, not when `publish_scheduled`
next runs: from the moment a page's expiry time passes it is a 404 and gone
from listings, feeds, the sitemap, search, related items, the assistant's
retrieval, the menu and the shop, while it is still `live` in the database
(the beat tick that unpublishes it has not come yet)."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from wagtail.models import Page

from ai import indexing
from ai.related import related_pages
from ai.retrieval import retrieve
from core.privacy import visible_page
from home.models import HomePage
from search.hybrid import ranked_results
from shop.models import ProductPage
from tests.factories import (
    BlogIndexPageFactory,
    PostPageFactory,
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    StandardPageFactory,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db

EXPIRES_IN = timedelta(hours=1)

LIGHTHOUSE = [
    paragraph(
        "The lighthouse keeper climbs the spiral stairs at dusk to light the lamp. "
        "Its beam sweeps the rocks of the headland so the fishing boats find the harbour."
    )
]


@contextmanager
def time_passes(delta=2 * EXPIRES_IN):
    """Requests inside the block happen `delta` from now; nothing is saved."""
    later = timezone.now() + delta
    with mock.patch("django.utils.timezone.now", return_value=later):
        yield


@pytest.fixture
def site_with_an_expiring_post():
    """A blog with a post that stays and one that expires in an hour (both
    published now, both about lighthouses, both indexed)."""
    blog = BlogIndexPageFactory(slug="blog", show_in_menus=True)
    keeper = PostPageFactory(
        parent=blog, slug="keeper", title="Keeping the lighthouse", body=LIGHTHOUSE
    )
    keeper.tags.set(["lighthouses"])
    keeper = publish(keeper)
    leaver = PostPageFactory(
        parent=blog,
        slug="leaver",
        title="Lighthouse open day",
        body=LIGHTHOUSE,
        expire_at=timezone.now() + EXPIRES_IN,
    )
    leaver.tags.set(["lighthouses"])
    leaver = publish(leaver)
    for page in (keeper, leaver):
        indexing.index_page(page.pk)
    return blog, keeper, leaver


def test_the_page_url_is_not_found_once_expired(client, site_with_an_expiring_post):
    _, keeper, leaver = site_with_an_expiring_post
    assert client.get(leaver.url).status_code == 200
    with time_passes():
        assert Page.objects.get(pk=leaver.pk).live  # publish_scheduled has not run
        response = client.get(leaver.url)
        assert response.status_code == 404
        assert "Lighthouse open day" not in response.content.decode()
        assert client.get(keeper.url).status_code == 200


def test_an_expired_index_page_takes_its_feeds_with_it(client):
    blog = BlogIndexPageFactory(slug="pop-up-blog", expire_at=timezone.now() + EXPIRES_IN)
    blog = publish(blog)
    assert client.get("/pop-up-blog/feed/").status_code == 200
    with time_passes():
        assert client.get("/pop-up-blog/").status_code == 404
        assert client.get("/pop-up-blog/feed/").status_code == 404


def test_listings_and_feeds_drop_the_page(client, site_with_an_expiring_post):
    listing = client.get("/blog/").content.decode()
    assert "Lighthouse open day" in listing
    with time_passes():
        for url in ("/blog/", "/blog/?tag=lighthouses", "/blog/feed/", "/blog/feed/atom/"):
            html = client.get(url).content.decode()
            assert "Keeping the lighthouse" in html, url
            assert "Lighthouse open day" not in html, url
        for url in ("/blog/tag/lighthouses/feed/", "/blog/tag/lighthouses/feed/atom/"):
            feed = client.get(url).content.decode()
            assert "/blog/keeper/" in feed and "/blog/leaver/" not in feed, url


def test_the_sitemap_drops_the_page(client, site_with_an_expiring_post):
    assert "/blog/leaver/" in client.get("/sitemap.xml").content.decode()
    with time_passes():
        xml = client.get("/sitemap.xml").content.decode()
    assert "/blog/keeper/" in xml
    assert "/blog/leaver/" not in xml


def test_search_drops_the_page(client, site_with_an_expiring_post):
    _, keeper, leaver = site_with_an_expiring_post
    assert leaver.pk in {result.page_id for result in ranked_results("lighthouse")}
    with time_passes():
        found = {result.page_id for result in ranked_results("lighthouse")}
        html = client.get("/search/", {"query": "lighthouse"}).content.decode()
    assert keeper.pk in found and leaver.pk not in found
    assert "Keeping the lighthouse" in html
    assert "Lighthouse open day" not in html


def test_related_items_and_the_assistant_drop_the_page(
    client, settings, site_with_an_expiring_post
):
    settings.AI_RELATED_SIMILARITY_FLOOR = 0.0
    _, keeper, leaver = site_with_an_expiring_post
    assert related_pages(keeper) == [leaver]
    # The related box is cached with the page; the cache must not outlive the expiry.
    assert "Lighthouse open day" in client.get(keeper.url).content.decode()
    with time_passes():
        assert related_pages(keeper) == []
        assert "Lighthouse open day" not in client.get(keeper.url).content.decode()
        retrieval = retrieve("Who lights the lighthouse lamp at dusk?")
        assert retrieval.found
        assert {passage.url for passage in retrieval.passages} == {keeper.url}
        assert visible_page(leaver.pk) is None
        assert visible_page(keeper.pk) is not None


def test_the_cached_main_menu_drops_the_page(client):
    home = HomePage.objects.get()
    StandardPageFactory(parent=home, slug="about", title="About us", show_in_menus=True)
    publish(
        StandardPageFactory(
            parent=home,
            slug="summer-sale",
            title="Summer sale",
            show_in_menus=True,
            expire_at=timezone.now() + EXPIRES_IN,
        )
    )
    menu = client.get("/").content.decode().split('id="site-nav-list"', 1)[1].split("</ul>")[0]
    assert "Summer sale" in menu  # and the menu is now cached
    with time_passes():
        html = client.get("/").content.decode()
    menu = html.split('id="site-nav-list"', 1)[1].split("</ul>")[0]
    assert "About us" in menu
    assert "Summer sale" not in menu


def test_an_expired_product_leaves_the_shop_and_cannot_be_bought(client):
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="shop"), slug="paper")
    ProductPageFactory(parent=category, title="Plain notebook", stock_quantity=5)
    seasonal = ProductPageFactory(
        parent=category,
        title="Advent calendar",
        stock_quantity=5,
        expire_at=timezone.now() + EXPIRES_IN,
    )
    seasonal = publish(seasonal)
    assert "Advent calendar" in client.get(category.url).content.decode()
    with time_passes():
        html = client.get(category.url).content.decode()
        assert "Plain notebook" in html and "Advent calendar" not in html
        response = client.post("/cart/add/", {"product": seasonal.pk, "quantity": 1})
        assert response.status_code == 302
        cart = client.get("/cart/").content.decode()
    assert "That product is not for sale." in cart
    assert "Advent calendar" not in cart
    assert ProductPage.objects.get(pk=seasonal.pk).live
