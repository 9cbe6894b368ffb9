from django.apps import AppConfig


class RoomsConfig(AppConfig):
    """Live chat rooms: rooms, messages, presence and moderation."""

    name = "chat.rooms"
    label = "rooms"
    verbose_name = "Chat rooms"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from chat.rooms.models import Room
        from core.content_cache import bump_content_version

        # Product pages cache the link to their room under the content version.
        post_save.connect(bump_content_version, sender=Room, dispatch_uid="rooms.room.saved")
        post_delete.connect(bump_content_version, sender=Room, dispatch_uid="rooms.room.deleted")
