"""The anonymous page cache: never stale, never personal, never private."""

import re
import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from accounts.profiles import public_name
from community.likes import set_like
from community.models import CommentStatus
from shop.models import StockAdjustment
from tests.community import add_comment, live_post, reader
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    UserFactory,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db


def cached_view(client, url, **headers):
    """`url` viewed until it comes from the cache (a first view of new content
    may write rows, such as an author's profile, that start a new version)."""
    for _ in range(3):
        response = client.get(url, **headers)
        assert response.status_code == 200
        if response["X-Page-Cache"] == "hit":
            return response
        assert response["X-Page-Cache"] == "miss"
    raise AssertionError(f"{url} was never served from the page cache")


def test_anonymous_page_is_served_from_the_cache_without_queries():
    post = publish(live_post(title="Cached loaves", body=[paragraph("Crumb and crust.")]))
    client = Client()
    cached_view(client, post.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(post.url)
    assert response["X-Page-Cache"] == "hit"
    assert len(captured) == 0
    assert "Cached loaves" in response.content.decode()
    assert "Crumb and crust." in response.content.decode()


def test_cached_response_has_no_cookie_no_csrf_token_and_public_headers():
    post = publish(live_post(title="No cookies here"))
    response = cached_view(Client(), post.url)
    html = response.content.decode()
    assert "No cookies here" in html
    assert not response.cookies
    assert "X-CSRFToken" not in html
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', html)
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control
    assert "stale-while-revalidate=30" in cache_control
    assert response["Vary"] == "Cookie"
    assert response["ETag"].startswith('"') and response["Last-Modified"]


def test_matching_if_none_match_answers_304_and_another_etag_200():
    post = publish(live_post(title="Conditional"))
    client = Client()
    etag = cached_view(client, post.url)["ETag"]
    not_modified = client.get(post.url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    changed = client.get(post.url, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and "Conditional" in changed.content.decode()


def test_a_publish_shows_on_the_next_anonymous_request():
    post = publish(live_post(title="First title"))
    client = Client()
    assert "First title" in cached_view(client, post.url).content.decode()
    post.title = "Second title"
    publish(post)
    response = client.get(post.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Second title" in response.content.decode()
    assert "First title" not in response.content.decode()


def test_an_unpublish_shows_on_the_next_anonymous_request():
    post = publish(live_post(title="Soon gone"))
    client = Client()
    cached_view(client, post.url)
    post.unpublish()
    assert client.get(post.url).status_code == 404


def test_a_draft_is_never_served_and_its_publish_is_seen_at_once():
    post = live_post(title="Draft title", live=False)
    client = Client()
    assert client.get(post.url).status_code == 404
    assert client.get(post.url).status_code == 404
    publish(post)
    assert "Draft title" in client.get(post.url).content.decode()


def test_a_comment_shows_on_the_next_anonymous_request(django_capture_on_commit_callbacks):
    post = publish(live_post())
    client = Client()
    cached_view(client, post.url)
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(
            post, reader(), body="A freshly approved comment", status=CommentStatus.APPROVED
        )
    response = client.get(post.url)
    assert response["X-Page-Cache"] == "miss"
    assert "A freshly approved comment" in response.content.decode()


def test_a_like_shows_on_the_next_anonymous_request(django_capture_on_commit_callbacks):
    post = publish(live_post())
    client = Client()
    before = cached_view(client, post.url).content.decode()
    assert 'aria-label="0 likes"' in before
    with django_capture_on_commit_callbacks(execute=True):
        set_like(UserFactory(), post, True)
    assert 'aria-label="1 like"' in client.get(post.url).content.decode()


def test_a_stock_change_shows_on_the_next_anonymous_request(django_capture_on_commit_callbacks):
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    product = publish(ProductPageFactory(parent=category, stock_quantity=2))
    client = Client()
    assert "Add to cart" in cached_view(client, product.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        StockAdjustment.apply(product, -2, StockAdjustment.Reason.DAMAGED)
    html = client.get(product.url).content.decode()
    assert "Sold out" in html and "Add to cart" not in html


def test_signed_in_readers_are_never_served_or_stored():
    post = publish(live_post(title="Members see themselves"))
    anonymous = Client()
    cached_view(anonymous, post.url)
    member = Client()
    user = UserFactory()
    member.force_login(user)
    response = member.get(post.url)
    assert "X-Page-Cache" not in response
    name = public_name(user)
    assert f'<span class="account-links__name">{name}</span>' in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "X-CSRFToken" in response.content.decode()  # htmx gets its header
    again = anonymous.get(post.url)
    assert again["X-Page-Cache"] == "hit" and "account-links__name" not in again.content.decode()


def test_a_restricted_page_is_never_cached_for_anyone():
    post = publish(live_post(title="Behind a password", body=[paragraph("The secret crumb.")]))
    PageViewRestriction.objects.create(
        page=post, restriction_type=PageViewRestriction.PASSWORD, password="sourdough"
    )
    anonymous = Client()
    for _ in range(2):
        response = anonymous.get(post.url)
        assert "X-Page-Cache" not in response
        assert "The secret crumb." not in response.content.decode()
    insider = Client()
    restriction = PageViewRestriction.objects.get(page=post)
    form_url = reverse("wagtailcore_authenticate_with_password", args=[restriction.id, post.id])
    insider.post(form_url, {"password": "sourdough", "return_url": post.url})
    inside = insider.get(post.url)
    assert "The secret crumb." in inside.content.decode()
    assert "X-Page-Cache" not in inside and "public" not in inside["Cache-Control"]
    after = anonymous.get(post.url)
    assert "The secret crumb." not in after.content.decode()
    assert "X-Page-Cache" not in after


def test_a_new_view_restriction_takes_a_cached_page_away():
    post = publish(live_post(title="Public for now", body=[paragraph("Open crumb.")]))
    client = Client()
    cached_view(client, post.url)
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(post.url)
    assert response.status_code == 302
    assert "Open crumb." not in response.content.decode()


def test_a_request_with_flash_messages_is_never_served_from_or_stored_in_the_cache():
    post = publish(live_post(title="With a message"))
    anonymous = Client()
    cached_view(anonymous, post.url)
    with_messages = Client()
    with_messages.cookies["messages"] = "queued-by-an-earlier-response"
    response = with_messages.get(post.url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "public" not in response["Cache-Control"]


def cached_product_for_a_new_shopper():
    """(a product in stock, a CSRF-checking client that has seen its page from
    the cache, with the deferred token field still empty)."""
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory())
    product = publish(ProductPageFactory(parent=category, stock_quantity=5))
    shopper = Client(enforce_csrf_checks=True)
    page = cached_view(shopper, product.url).content.decode()
    assert 'value="" data-csrf-deferred' in page
    return product, shopper


def test_an_anonymous_cart_is_personal_and_the_deferred_token_works():
    product, shopper = cached_product_for_a_new_shopper()
    token_response = shopper.get(reverse("csrf_token"))
    assert (
        "no-store" in token_response["Cache-Control"]
        or "no-cache" in token_response["Cache-Control"]
    )
    token = token_response.json()["token"]
    added = shopper.post(
        reverse("shop:cart_add"),
        {"product": product.pk, "quantity": 2, "csrfmiddlewaretoken": token},
    )
    assert added.status_code in (200, 302)
    mine = shopper.get(product.url)
    assert "X-Page-Cache" not in mine  # a session cookie: personal
    assert 'data-cart-count="2"' in mine.content.decode()
    others = Client().get(product.url)
    assert others["X-Page-Cache"] == "hit"
    assert 'data-cart-count="0"' in others.content.decode()


def test_the_page_cache_is_off_when_configured(settings):
    settings.PAGE_CACHE_SECONDS = 0
    post = publish(live_post())
    client = Client()
    client.get(post.url)
    response = client.get(post.url)
    assert "X-Page-Cache" not in response and "public" not in response["Cache-Control"]


def test_search_is_not_cached():
    client = Client()
    client.get("/search/?query=bread")
    assert "X-Page-Cache" not in client.get("/search/?query=bread")


def test_pages_are_served_uncached_while_redis_is_down(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    post = publish(live_post(title="Served without Redis"))
    settings.REDIS_RETRY_SECONDS = 60
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{dead_port}/0",
            "KEY_PREFIX": "page-cache-test",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    try:
        client = Client()
        for _ in range(2):
            response = client.get(post.url)
            assert response.status_code == 200
            assert "Served without Redis" in response.content.decode()
            assert response.get("X-Page-Cache") in (None, "miss")
    finally:
        from core.cache import _breaker

        _breaker("page-cache-test").reset()
        cache.close()


def test_without_javascript_a_cached_buy_form_is_confirmed_then_added():
    product, shopper = cached_product_for_a_new_shopper()
    # The deferred field was never filled (no JavaScript): the reader is
    # asked to confirm, on a page holding the same fields and a real token.
    fields = {"product": product.pk, "quantity": 2}
    refused = shopper.post(reverse("shop:cart_add"), {**fields, "csrfmiddlewaretoken": ""})
    assert refused.status_code == 403
    confirm = refused.content.decode()
    assert "Please confirm" in confirm
    assert f'name="product" value="{product.pk}"' in confirm
    assert 'name="quantity" value="2"' in confirm
    assert 'data-cart-count="0"' in confirm  # nothing was added yet
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm).group(1)
    added = shopper.post(reverse("shop:cart_add"), {**fields, "csrfmiddlewaretoken": token})
    assert added.status_code in (200, 302)
    assert 'data-cart-count="2"' in shopper.get(product.url).content.decode()


def test_a_post_without_a_deferred_field_gets_the_plain_refusal():
    refused = Client(enforce_csrf_checks=True).post(
        reverse("shop:cart_add"), {"product": 1, "quantity": 1}
    )
    assert refused.status_code == 403
    assert "Please confirm" not in refused.content.decode()
