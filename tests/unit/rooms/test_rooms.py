"""Room services and the presence counter, called directly."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from chat.rooms import messaging, presence
from chat.rooms.models import Room, RoomMessage
from core.websocket import ClientError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return Room.objects.create(name="Lounge", slug="lounge")


@pytest.fixture
def broadcasts(monkeypatch):
    """Channel-layer events the services sent: [(group, event), ...]."""
    sent = []

    class RecordingLayer:
        async def group_send(self, group, event):
            sent.append((group, event))

    monkeypatch.setattr(messaging, "get_channel_layer", RecordingLayer)
    return sent


def test_group_names_come_from_ids_only():
    assert messaging.room_group(42) == "room-42"
    assert messaging.room_group("42") == "room-42"
    with pytest.raises(ValueError):
        messaging.room_group("42; other")


def test_clean_text_trims_and_drops_control_characters(settings):
    settings.CHAT_ROOM_MESSAGE_MAX_LENGTH = 12
    assert messaging.clean_text("  hi\r\nthere\x00\x1b  ") == "hi\nthere"
    assert messaging.clean_text("tab\tkept") == "tab\tkept"
    for text, code in [
        (None, "invalid_text"),
        (["hi"], "invalid_text"),
        ("   ", "empty_message"),
        ("\x00\x07", "empty_message"),
        ("x" * 13, "message_too_long"),
    ]:
        with pytest.raises(ClientError) as refused:
            messaging.clean_text(text)
        assert refused.value.code == code, text
    assert messaging.clean_text("  " + "x" * 12 + "  ") == "x" * 12


def test_post_message_saves_then_broadcasts_the_whole_message(
    room, broadcasts, django_capture_on_commit_callbacks
):
    alice = UserFactory(first_name="Alice", last_name="Archer")
    with django_capture_on_commit_callbacks(execute=True):
        message = messaging.post_message(room, alice, "  <b>hello</b> ")
    assert RoomMessage.objects.get().text == "<b>hello</b>"
    assert broadcasts == [
        (
            f"room-{room.pk}",
            {
                "type": "room.message",
                "message": {
                    "id": message.pk,
                    "author": "Alice Archer",
                    "text": "<b>hello</b>",
                    "created_at": message.created_at.isoformat(),
                    "time_label": message.time_label,
                },
            },
        )
    ]


def test_nothing_is_broadcast_when_the_transaction_rolls_back(room, broadcasts):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        messaging.post_message(room, UserFactory(), "never committed")
        raise RuntimeError
    assert broadcasts == []
    assert not RoomMessage.objects.exists()


def test_post_message_refusals(room, settings):
    from django.contrib.auth.models import AnonymousUser

    from community.models import Ban

    settings.CHAT_ROOM_RATE_LIMIT = 1
    with pytest.raises(ClientError) as anonymous:
        messaging.post_message(room, AnonymousUser(), "hello")
    assert anonymous.value.code == "login_required"

    banned = UserFactory()
    Ban.objects.create(user=banned, reason="spam")
    with pytest.raises(ClientError) as ban:
        messaging.post_message(room, banned, "hello")
    assert ban.value.code == "banned"

    fast = UserFactory()
    messaging.post_message(room, fast, "one")
    with pytest.raises(ClientError) as limited:
        messaging.post_message(room, fast, "two")
    assert limited.value.code == "rate_limited"
    assert limited.value.extra["retry_after"] >= 1
    assert list(RoomMessage.objects.values_list("text", flat=True)) == ["one"]


def test_delete_checks_the_current_rights_not_the_sessions(room, broadcasts):
    moderators = Group.objects.get(name="Moderators")
    moderator = UserFactory(groups=["Moderators"])
    message = RoomMessage.objects.create(room=room, author=UserFactory(), text="hm")
    assert messaging.can_moderate(moderator)  # rights now cached on this user object
    moderator.groups.remove(moderators)
    with pytest.raises(ClientError) as refused:
        messaging.delete_message(room, moderator, message.pk)
    assert refused.value.code == "forbidden"
    message.refresh_from_db()
    assert message.deleted_at is None


def test_delete_is_soft_and_repeatable(room, broadcasts, django_capture_on_commit_callbacks):
    moderator = UserFactory(groups=["Moderators"])
    message = RoomMessage.objects.create(room=room, author=UserFactory(), text="gone soon")
    with django_capture_on_commit_callbacks(execute=True):
        messaging.delete_message(room, moderator, message.pk)
    message.refresh_from_db()
    first_deleted_at = message.deleted_at
    assert message.text == "gone soon"  # kept for the record, never shown
    assert message.deleted_by == moderator
    with django_capture_on_commit_callbacks(execute=True):
        messaging.delete_message(room, moderator, message.pk)
    message.refresh_from_db()
    assert message.deleted_at == first_deleted_at
    assert broadcasts == [(f"room-{room.pk}", {"type": "room.deleted", "id": message.pk})] * 2


def test_recent_messages_is_one_query_with_authors(room, django_assert_num_queries):
    authors = [UserFactory() for _ in range(3)]
    now = timezone.now()
    for index in range(55):
        RoomMessage.objects.create(
            room=room,
            author=authors[index % 3],
            text=f"m{index}",
            created_at=now.replace(microsecond=index),
        )
    RoomMessage.objects.filter(text="m54").update(deleted_at=now)
    with django_assert_num_queries(1):
        frames = messaging.history_frames(room)
    assert [frame["text"] for frame in frames] == [f"m{index}" for index in range(4, 54)]


def test_presence_is_never_negative(room):
    assert presence.leave(room.pk) == 0
    assert presence.join(room.pk) == 1
    assert presence.join(room.pk) == 2
    assert presence.leave(room.pk) == 1
    assert presence.leave(room.pk) == 0
    assert presence.leave(room.pk) == 0
    assert presence.count(room.pk) == 0
    # A counter that expired while sockets were open comes back at zero.
    presence.join(room.pk)
    cache.delete(f"chat:presence:{room.pk}")
    assert presence.leave(room.pk) == 0
    assert presence.join(room.pk) == 1
    assert presence.counts([room.pk, room.pk + 1]) == {room.pk: 1, room.pk + 1: 0}


def test_presence_leave_below_zero_is_undone(room):
    # E.g. the counter expired and another socket joined since.
    cache.set(f"chat:presence:{room.pk}", 0, 60)
    assert presence.leave(room.pk) == 0
    assert presence.count(room.pk) == 0
