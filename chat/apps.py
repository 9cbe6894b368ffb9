from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Assistant and chat"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from chat.models import Room
        from home.content_cache import bump_content_version

        # Product pages cache the link to their room under the content version.
        post_save.connect(bump_content_version, sender=Room, dispatch_uid="chat.room.saved")
        post_delete.connect(bump_content_version, sender=Room, dispatch_uid="chat.room.deleted")
