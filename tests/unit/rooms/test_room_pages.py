"""Room pages (list, room, no-JavaScript forms), the product page link, the
admin listing with its permissions, and the demo rooms."""

from io import StringIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat.rooms import demo, presence
from chat.rooms.models import Room, RoomMessage
from tests.factories import (
    ProductCategoryPageFactory,
    ProductPageFactory,
    ShopIndexPageFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

PAGE_VIEW_BUDGET = 15  # a loose bound: tests/unit/test_query_counts.py holds the tight ones


@pytest.fixture
def room():
    return Room.objects.create(name="Lounge", slug="lounge", description="Chat about anything.")


@pytest.fixture
def product():
    category = ProductCategoryPageFactory(parent=ShopIndexPageFactory(slug="shop"))
    return publish(ProductPageFactory(parent=category, title="Brass lamp", slug="brass-lamp"))


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_room_list_shows_open_rooms_with_presence(client, room):
    Room.objects.create(name="Back office", slug="back-office", is_active=False)
    presence.join(room.pk)
    presence.join(room.pk)
    html = client.get("/rooms/").content.decode()
    assert f'href="{room.get_absolute_url()}">Lounge</a>' in html
    assert "Chat about anything." in html
    assert "2 people here now" in html
    assert "Back office" not in html


def test_room_page_renders_the_history_escaped_for_readers_without_javascript(client, room):
    author = UserFactory(first_name="Eve", last_name="<i>Evil</i>")
    RoomMessage.objects.create(room=room, author=author, text="<script>alert(1)</script>")
    RoomMessage.objects.create(room=room, author=author, text="deleted", deleted_at=timezone.now())
    response = client.get(room.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "Eve &lt;i&gt;Evil&lt;/i&gt;" in html
    assert ">deleted<" not in html
    assert 'data-socket-path="/ws/rooms/lounge/"' in html
    assert 'aria-live="polite"' in html
    assert "<noscript>" in html and "js/rooms.js" in html
    # Anonymous visitors read; posting asks them to log in.
    assert 'name="text"' not in html
    assert "/accounts/login/?next=/rooms/lounge/" in html
    assert "Delete</button>" not in html


def test_unknown_and_closed_rooms_are_404(client):
    Room.objects.create(name="Closed", slug="closed", is_active=False)
    assert client.get("/rooms/closed/").status_code == 404
    assert client.get("/rooms/nowhere/").status_code == 404


def test_posting_without_javascript(room):
    client = logged_in(UserFactory(first_name="Rita", last_name="Reader"))
    response = client.post(room.get_absolute_url(), {"text": "  Hello from a form  "})
    message = RoomMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rooms/lounge/#message-{message.pk}"
    assert message.text == "Hello from a form"
    html = client.get(room.get_absolute_url()).content.decode()
    assert f'id="message-{message.pk}"' in html and "Rita Reader" in html


def test_a_refused_message_keeps_its_text(room, settings):
    settings.CHAT_ROOM_MESSAGE_MAX_LENGTH = 10
    client = logged_in(UserFactory())
    response = client.post(room.get_absolute_url(), {"text": "far too long for this"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "the limit is 10" in html
    assert ">far too long for this</textarea>" in html
    assert not RoomMessage.objects.exists()


def test_anonymous_posts_go_to_the_login_page(client, room):
    response = client.post(room.get_absolute_url(), {"text": "hi"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/rooms/lounge/")
    assert not RoomMessage.objects.exists()


def test_moderators_delete_without_javascript(room):
    message = RoomMessage.objects.create(room=room, author=UserFactory(), text="rude")
    delete_url = reverse("room_delete_message", args=[room.slug, message.pk])

    reader = logged_in(UserFactory())
    assert "Delete</button>" not in reader.get(room.get_absolute_url()).content.decode()
    assert reader.post(delete_url).status_code == 403
    message.refresh_from_db()
    assert message.deleted_at is None

    moderator = UserFactory(groups=["Moderators"])
    client = logged_in(moderator)
    html = client.get(room.get_absolute_url()).content.decode()
    assert f'action="{delete_url}"' in html
    assert client.get(delete_url).status_code == 405
    response = client.post(delete_url, follow=True)
    assert response.redirect_chain == [("/rooms/lounge/", 302)]
    assert "The message was deleted." in response.content.decode()
    assert ">rude<" not in response.content.decode()
    message.refresh_from_db()
    assert message.deleted_by == moderator
    other = Room.objects.create(name="Other", slug="other")
    assert (
        client.post(reverse("room_delete_message", args=[other.slug, message.pk])).status_code
        == 404
    )


def test_room_links_its_product_only_while_it_is_public(client, room, product):
    room.product = product
    room.save()
    html = client.get(room.get_absolute_url()).content.decode()
    assert f'About <a href="{product.url}">Brass lamp</a>' in html
    product.unpublish()
    assert "Brass lamp" not in client.get(room.get_absolute_url()).content.decode()


def test_product_page_links_its_open_room_within_the_query_budget(client, product):
    assert "Chat about this product" not in client.get(product.url).content.decode()
    room = Room.objects.create(name="Lamp owners", slug="lamp-owners", product=product)
    client.get(product.url)  # warms the fragment cache
    with CaptureQueriesContext(connection) as queries:
        html = client.get(product.url).content.decode()
    assert len(queries) <= PAGE_VIEW_BUDGET
    assert not any("chat_room" in query["sql"] for query in queries.captured_queries)
    assert '<a href="/rooms/lamp-owners/">Chat about this product in “Lamp owners”</a>' in html

    room.is_active = False
    room.save()  # bumps the content version: the cached link goes at once
    assert "Chat about this product" not in client.get(product.url).content.decode()


def test_footer_links_the_rooms(client):
    assert '<a href="/rooms/">Chat rooms</a>' in client.get("/rooms/").content.decode()


# Admin ---------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_editors_and_moderators_manage_rooms_in_the_admin(group, product):
    staff = UserFactory(groups=[group])
    client = logged_in(staff)
    Room.objects.create(name="Gardening", slug="gardening")
    html = client.get(reverse("chat_rooms:index")).content.decode()
    assert "Gardening" in html and "Chat rooms" in html

    response = client.post(
        reverse("chat_rooms:add"),
        {
            "name": "Lamp owners",
            "slug": "lamp-owners",
            "description": "Tips and questions.",
            "product": product.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Room.objects.get(slug="lamp-owners")
    assert (created.created_by, created.product_id, created.is_active) == (staff, product.pk, True)

    html = client.get(reverse("chat_rooms:index"), {"q": "lamp"}).content.decode()
    assert "Lamp owners" in html and "Gardening" not in html

    response = client.post(
        reverse("chat_rooms:edit", args=[created.pk]),
        {"name": "Lamp owners", "slug": "lamp-owners", "description": "", "product": ""},
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.is_active is False  # closed, messages kept
    # Deleting erases a conversation: superusers only (Wagtail sends others home).
    response = client.post(reverse("chat_rooms:delete", args=[created.pk]))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert Room.objects.filter(pk=created.pk).exists()


def test_the_admin_refuses_a_duplicate_slug():
    client = logged_in(UserFactory(groups=["Editors"]))
    Room.objects.create(name="Lounge", slug="lounge")
    response = client.post(
        reverse("chat_rooms:add"), {"name": "Lounge 2", "slug": "lounge", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Room.objects.count() == 1


@pytest.mark.parametrize("group", ["Authors", "Shop managers"])
def test_other_staff_cannot_manage_rooms(group):
    client = logged_in(UserFactory(groups=[group]))
    for response in (
        client.get(reverse("chat_rooms:index")),
        client.post(reverse("chat_rooms:add"), {"name": "X", "slug": "x"}),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not Room.objects.exists()
    assert "Chat rooms" not in client.get("/admin/").content.decode()


# Demo ----------------------------------------------------------------------------


def test_demo_rooms_are_created_once(product):
    for username in ("editor", "reader", "author", "ines", "kofi", "mei", "oskar", "shopmanager"):
        UserFactory(username=username)
    assert "Community" in demo.finish(StringIO())
    rooms = {room.slug: room for room in Room.objects.all()}
    assert set(rooms) == {"community", "shop-help", "product-brass-lamp"}
    assert rooms["product-brass-lamp"].product_id == product.pk
    assert rooms["community"].messages.count() == 5
    authors = set(RoomMessage.objects.values_list("author__username", flat=True))
    assert {"reader", "author", "ines"} <= authors

    counts = (Room.objects.count(), RoomMessage.objects.count())
    assert demo.finish(StringIO()) == ""
    assert (Room.objects.count(), RoomMessage.objects.count()) == counts
