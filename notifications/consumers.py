"""The per-user notification socket at ws/notifications/."""

from channels.db import database_sync_to_async

from core.websocket import TRY_AGAIN_LATER, ClientError, JsonFrameConsumer
from notifications import services
from notifications.groups import user_group

# Channel-layer events this consumer forwards as they are: they carry all the
# socket needs, so no database connection is touched per delivery.
FORWARDED_EVENTS = {"notification.created", "notification.read"}


class NotificationConsumer(JsonFrameConsumer):
    """Pushes the unread count and new notifications to one signed-in user.

    The group joined comes from the session's user id only; nothing a client
    sends can change which notifications it receives.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept first: a close before the handshake completes reaches the
            # browser as 1006, and only a real 4401 tells the shared socket
            # client (static/js/socket.js) to stop reconnecting.
            await self.accept()
            await self.close(code=4401)
            return
        self.user = user
        if not await self.join_group(user_group(user.pk)):
            await self.close(code=TRY_AGAIN_LATER)  # the bell cannot be live
            return
        self.group_name = user_group(user.pk)
        await self.accept()
        count = await database_sync_to_async(services.unread_count)(user)
        await self.send_json({"type": "unread_count", "count": count})

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.leave_group(self.group_name)

    async def dispatch(self, message):
        if message.get("type") in FORWARDED_EVENTS:
            # Skip Channels' per-message close_old_connections (a thread hop):
            # these handlers make no database calls.
            await getattr(self, message["type"].replace(".", "_"))(message)
            return
        await super().dispatch(message)

    # Client frames ------------------------------------------------------

    async def handle_frame(self, content):
        frame_type = content.get("type")
        if frame_type == "mark_read":
            notification_id = content.get("id")
            if not isinstance(notification_id, int) or isinstance(notification_id, bool):
                raise ClientError("invalid_id", "mark_read needs an integer id.")
            ids = [notification_id]
        elif frame_type == "mark_all_read":
            ids = None
        else:
            raise ClientError("unknown_type", "Unknown frame type.")
        # The new count comes back through the user's group, to this tab and
        # every other open tab alike.
        await database_sync_to_async(services.mark_read)(self.user, ids)

    # Channel-layer events ---------------------------------------------------

    async def notification_created(self, event):
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread_count": event["unread_count"],
            }
        )

    async def notification_read(self, event):
        # Another tab marked something read: keep every tab's count in step.
        await self.send_json({"type": "unread_count", "count": event["unread_count"]})
