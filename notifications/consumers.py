"""The per-user notification socket at ws/notifications/."""

from channels.db import database_sync_to_async
from django.utils import timezone

from home.websocket import ClientError, JsonFrameConsumer
from notifications.groups import user_group
from notifications.models import Notification


class NotificationConsumer(JsonFrameConsumer):
    """Pushes the unread count and new notifications to one signed-in user.

    The group joined comes from the session's user id only; nothing a client
    sends can change which notifications it receives.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user_id = user.pk
        self.group_name = user_group(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "unread_count", "count": await self.unread_count()})

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    # Client events ------------------------------------------------------

    async def handle_frame(self, content):
        frame_type = content.get("type")
        if frame_type == "mark_read":
            notification_id = content.get("id")
            if not isinstance(notification_id, int) or isinstance(notification_id, bool):
                raise ClientError("invalid_id", "mark_read needs an integer id.")
            await self.mark_read([notification_id])
        elif frame_type == "mark_all_read":
            await self.mark_read(None)
        else:
            raise ClientError("unknown_type", "Unknown frame type.")
        await self.send_json({"type": "unread_count", "count": await self.unread_count()})

    # Channel-layer events -------------------------------------------------

    async def notification_created(self, event):
        notification = await self.load_notification(event["id"])
        if notification is None:
            return
        await self.send_json(
            {
                "type": "notification",
                "notification": notification,
                "unread_count": await self.unread_count(),
            }
        )

    # Database helpers ------------------------------------------------------

    @database_sync_to_async
    def unread_count(self):
        return Notification.objects.filter(recipient_id=self.user_id).unread().count()

    @database_sync_to_async
    def load_notification(self, notification_id):
        notification = (
            Notification.objects.filter(recipient_id=self.user_id, pk=notification_id)
            .select_related("actor")
            .first()
        )
        return notification.as_frame() if notification else None

    @database_sync_to_async
    def mark_read(self, ids):
        unread = Notification.objects.filter(recipient_id=self.user_id).unread()
        if ids is not None:
            unread = unread.filter(pk__in=ids)
        unread.update(read_at=timezone.now())
