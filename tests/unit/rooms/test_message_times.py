"""A chat message's time reads the same in the page the server rendered and
in the frames the script adds later: one format, in the site's time zone."""

import datetime

import pytest

from chat.rooms import messaging
from chat.rooms.models import Room, RoomMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 11, 28, 10, 29, tzinfo=datetime.UTC)


def test_page_and_frame_word_a_message_time_alike(client, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"  # UTC+1 in November
    room = Room.objects.create(name="Lounge", slug="lounge")
    message = RoomMessage.objects.create(
        room=room, author=UserFactory(), text="Morning all", created_at=SENT
    )
    html = client.get(room.get_absolute_url()).content.decode()
    assert '<time datetime="2026-11-28T11:29:00+01:00">28 Nov, 11:29</time>' in html
    frame = messaging.message_frame(message)
    assert frame["time_label"] == "28 Nov, 11:29"
    assert frame["created_at"] == "2026-11-28T10:29:00+00:00"
