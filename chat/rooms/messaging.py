"""Chat rooms: who may do what, the history a member sees on joining, posting
and deleting messages, and the broadcast that carries each change to every
open socket of the room.

The database is the truth. A change is written first and announced through
the channel layer only after the transaction commits, with everything a
socket needs (the whole message), so delivering it to many members costs no
database work in the WebSocket processes. A member who missed a broadcast
(channel layers deliver at most once) gets the history again on reconnect.
"""

import logging
import re

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.profiles import public_name
from chat.rooms.models import Room, RoomMessage
from community.posting import is_banned
from core import rate_limits
from core.after_commit import after_commit
from core.websocket import ClientError

logger = logging.getLogger(__name__)

HISTORY_SIZE = 50
DELETE_PERMISSION = "rooms.delete_roommessage"

# Control characters other than tab and newline never belong in a message.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def room_group(room_id):
    """The channel-layer group of a room, derived from its id only."""
    return f"room-{int(room_id)}"


def open_rooms():
    """Rooms readers can see and join."""
    return Room.objects.filter(is_active=True)


def find_open_room(slug):
    """The open room with this slug, or None."""
    return open_rooms().filter(slug=slug).first()


def can_moderate(user):
    """True for users who may delete any room message: the Moderators group
    (which holds the delete permission) and superusers."""
    return bool(user is not None and user.is_authenticated and user.has_perm(DELETE_PERMISSION))


def message_frame(message):
    """The JSON a socket receives for one message (plain text, never HTML)."""
    return {
        "id": message.pk,
        "author": public_name(message.author),
        "text": message.text,
        "created_at": message.created_at.isoformat(),
        "time_label": message.time_label,
    }


def recent_messages(room, limit=HISTORY_SIZE):
    """The last `limit` visible messages of a room, oldest first (one query)."""
    newest = (
        RoomMessage.objects.visible()
        .filter(room=room)
        .select_related("author__profile")
        .order_by("-created_at", "-pk")[:limit]
    )
    return list(reversed(newest))


def history_frames(room):
    """`message_frame()`s of the history a member sees on joining."""
    return [message_frame(message) for message in recent_messages(room)]


def clean_text(text):
    """The message as it will be stored: trimmed, without control characters.

    Raises ClientError for text that is missing, empty or too long.
    """
    if not isinstance(text, str):
        raise ClientError("invalid_text", "A message needs a text.")
    text = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        raise ClientError("empty_message", "Write something first.")
    limit = settings.CHAT_ROOM_MESSAGE_MAX_LENGTH
    if len(text) > limit:
        raise ClientError(
            "message_too_long",
            f"That message is {len(text)} characters long; the limit is {limit}.",
            max_length=limit,
        )
    return text


def check_post_rate(user):
    """Count one message by the user; ClientError `rate_limited` past the limit."""
    budget = rate_limits.Budget(
        "room-message",
        f"user:{user.pk}",
        settings.CHAT_ROOM_RATE_LIMIT,
        window=settings.CHAT_ROOM_RATE_WINDOW,
    )
    retry_after = rate_limits.attempt([budget]).retry_after
    if retry_after:
        seconds = "1 second" if retry_after == 1 else f"{retry_after} seconds"
        raise ClientError(
            "rate_limited",
            f"You are sending messages too fast. Try again in {seconds}.",
            retry_after=retry_after,
        )


def post_message(room, user, text):
    """Store a message by `user` in `room` and, after commit, broadcast it.

    Raises ClientError when the user may not post (anonymous, banned, too
    fast), the text is unacceptable, or the room has closed.
    """
    if user is None or not user.is_authenticated:
        raise ClientError("login_required", "Log in to take part in the conversation.")
    text = clean_text(text)
    if is_banned(user):
        raise ClientError("banned", "You can no longer post on this site.")
    check_post_rate(user)
    if not open_rooms().filter(pk=room.pk).exists():
        raise ClientError("room_closed", "This room is closed.")
    with transaction.atomic():
        message = RoomMessage.objects.create(room_id=room.pk, author=user, text=text)
        event = {"type": "room.message", "message": message_frame(message)}
        after_commit(lambda: broadcast(room.pk, event))
    return message


def delete_message(room, user, message_id):
    """Soft-delete a message of `room` as a moderator and, after commit, tell
    every member to remove it. Deleting a deleted message announces it again.

    Raises ClientError `forbidden` for anyone but moderators and superusers
    (checked against the database now, not the session's cached rights),
    `not_found` for a message of another room or none.
    """
    moderator = _current_user(user)
    if moderator is None or not can_moderate(moderator):
        raise ClientError("forbidden", "Only moderators can delete messages.")
    with transaction.atomic():
        message = RoomMessage.objects.select_for_update().filter(room=room, pk=message_id).first()
        if message is None:
            raise ClientError("not_found", "There is no such message in this room.")
        if not message.is_deleted:
            message.deleted_at = timezone.now()
            message.deleted_by = moderator
            message.save(update_fields=["deleted_at", "deleted_by"])
        event = {"type": "room.deleted", "id": message.pk}
        after_commit(lambda: broadcast(room.pk, event))
    return message


def _current_user(user):
    """The user as the database has them now (active accounts only), or None."""
    if user is None or not user.is_authenticated:
        return None
    return get_user_model().objects.filter(pk=user.pk, is_active=True).first()


def broadcast(room_id, event):
    """Send a channel-layer event to every socket of the room."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(room_group(room_id), event)
