"""Every live feature (the bell, the assistant, a chat room, the admin's bell)
builds on static/js/socket.js, so each page that runs one loads the socket
module first (deferred scripts run in document order). The module's own
behaviour is tested in a browser: tests/e2e/test_socket.py."""

import re

import pytest
from django.test import Client

from chat.rooms.models import Room
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db

SOCKET = "/static/js/socket.js"


def script_sources(response):
    assert response.status_code == 200
    return re.findall(r'<script src="([^"]+)"', response.content.decode())


def assert_socket_first(sources, feature_script):
    assert SOCKET in sources, sources
    assert feature_script in sources, sources
    assert sources.index(SOCKET) < sources.index(feature_script)
    assert sources.count(SOCKET) == 1


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_post_loads_the_socket_module_before_the_bell_and_the_assistant():
    post = publish(PostPageFactory(parent=BlogIndexPageFactory(slug="blog"), title="Live post"))
    sources = script_sources(signed_in(UserFactory()).get(post.url))
    assert_socket_first(sources, "/static/js/notifications.js")
    assert_socket_first(sources, "/static/js/assistant.js")


def test_a_room_loads_the_socket_module_before_the_room_script(client):
    room = Room.objects.create(name="Lounge", slug="lounge")
    assert_socket_first(script_sources(client.get(room.get_absolute_url())), "/static/js/rooms.js")


def test_the_admin_loads_the_socket_module_before_its_bell():
    admin = UserFactory(is_staff=True, is_superuser=True)
    sources = script_sources(signed_in(admin).get("/admin/"))
    assert_socket_first(sources, "/static/js/notifications.js")
