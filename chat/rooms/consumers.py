"""The chat room socket at ws/rooms/<slug>/.

Frames in:  {"type": "message", "text"}, {"type": "delete", "id"}
Frames out: {"type": "history", "messages": [message, ...]} (on connect, oldest first),
            {"type": "message", "id", "author", "text", "created_at", "can_delete"},
            {"type": "deleted", "id"}, {"type": "presence", "count"},
            {"type": "error", "code", "message", "retry_after"?, "max_length"?}

Anyone may read an open room; signed-in users may post; moderators delete.
The consumer only validates and moves frames: the rules live in chat/rooms/messaging.py
and chat/rooms/presence.py.
"""

import asyncio
import weakref

from channels.db import database_sync_to_async

from chat.rooms import messaging, presence
from core.websocket import TRY_AGAIN_LATER, ClientError, JsonFrameConsumer

# Channel-layer events forwarded as they are: they carry the whole message,
# so no database connection is touched per delivery.
FORWARDED_EVENTS = {"room.message", "room.deleted", "room.presence"}

# Joins and leaves within this many seconds share one presence broadcast.
# Announcing each one would cost members x joins frames: 500 readers opening
# a room would be sent 125,000 presence frames.
PRESENCE_COALESCE_SECONDS = 0.25

# Per event loop (one per process under Daphne; one per test under pytest):
# room id -> the task that will announce that room's count.
_presence_announcements = weakref.WeakKeyDictionary()


def announce_presence_soon(channel_layer, room_id):
    """Broadcast the room's count shortly, once for every join and leave
    this process sees in the meantime."""
    pending = _presence_announcements.setdefault(asyncio.get_running_loop(), {})
    if room_id not in pending:
        announcement = _announce_presence(channel_layer, room_id, pending)
        pending[room_id] = asyncio.ensure_future(announcement)


async def _announce_presence(channel_layer, room_id, pending):
    try:
        await asyncio.sleep(PRESENCE_COALESCE_SECONDS)
    finally:
        # From here on a join or leave schedules a new announcement, so the
        # last change is always announced.
        del pending[room_id]
    await channel_layer.group_send(
        messaging.room_group(room_id), {"type": "room.presence", "count": presence.count(room_id)}
    )


@database_sync_to_async
def _enter(slug, user):
    room = messaging.find_open_room(slug)
    if room is None:
        return None, False
    return room, messaging.can_moderate(user)


class RoomConsumer(JsonFrameConsumer):
    """One reader's connection to one room.

    The group joined is derived from the room's id, looked up from the URL's
    slug; nothing a client sends can change which room it hears.
    """

    room = None
    group_name = None
    counted = False
    can_moderate = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Daphne cancels open sockets when it shuts down, without a
            # disconnect event: count this one out of the room all the same.
            self.leave_presence()

    async def connect(self):
        self.user = self.scope.get("user")
        room, self.can_moderate = await _enter(self.scope["url_route"]["kwargs"]["slug"], self.user)
        if room is None:
            await self.close()  # before accept: the handshake is refused (403)
            return
        self.room = room
        self.group_name = messaging.room_group(room.pk)
        # Join before reading the history, so a message posted in between is
        # not lost (it may arrive twice; clients de-duplicate by id).
        if not await self.join_group(self.group_name):
            self.group_name = None
            await self.close(code=TRY_AGAIN_LATER)  # no live room without the layer
            return
        history = await database_sync_to_async(messaging.history_frames)(room)
        await self.accept()
        await self.send_json(
            {"type": "history", "messages": [self.for_member(frame) for frame in history]}
        )
        self.counted = True
        presence.join(room.pk)
        announce_presence_soon(self.channel_layer, room.pk)

    async def disconnect(self, code):
        if self.group_name is None:
            return
        await self.leave_group(self.group_name)
        if self.leave_presence() is not None:
            announce_presence_soon(self.channel_layer, self.room.pk)

    def leave_presence(self):
        """Count this socket out of the room (once); the new count, or None
        if it was not counted in."""
        if not self.counted:
            return None
        self.counted = False
        return presence.leave(self.room.pk)

    async def dispatch(self, message):
        if message.get("type") in FORWARDED_EVENTS:
            # Skip Channels' per-message close_old_connections (a thread hop):
            # these handlers make no database calls.
            await getattr(self, message["type"].replace(".", "_"))(message)
            return
        await super().dispatch(message)

    def for_member(self, frame):
        """A message frame as this member sees it (with their delete right)."""
        return {**frame, "can_delete": self.can_moderate}

    # Client frames ------------------------------------------------------

    async def handle_frame(self, content):
        frame_type = content.get("type")
        if frame_type == "message":
            await self.post(content.get("text"))
        elif frame_type == "delete":
            await self.delete(content.get("id"))
        else:
            raise ClientError("unknown_type", "Send a 'message' or 'delete' frame.")

    async def post(self, text):
        if self.user is None or not self.user.is_authenticated:
            raise ClientError("login_required", "Log in to take part in the conversation.")
        # Cheap checks first, on the event loop; the rest in the database thread.
        messaging.clean_text(text)
        # Members see the message when its broadcast comes back through the group.
        await database_sync_to_async(messaging.post_message)(self.room, self.user, text)

    async def delete(self, message_id):
        if not self.can_moderate:
            raise ClientError("forbidden", "Only moderators can delete messages.")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise ClientError("invalid_id", "delete needs the message's integer id.")
        await database_sync_to_async(messaging.delete_message)(self.room, self.user, message_id)

    # Channel-layer events ---------------------------------------------------

    async def room_message(self, event):
        await self.send_json({"type": "message", **self.for_member(event["message"])})

    async def room_deleted(self, event):
        await self.send_json({"type": "deleted", "id": event["id"]})

    async def room_presence(self, event):
        await self.send_json({"type": "presence", "count": event["count"]})
