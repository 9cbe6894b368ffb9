from django.apps import AppConfig


class ChatConfig(AppConfig):
    """The parent of the two reader-chat apps, `chat.assistant` (ask the site)
    and `chat.rooms` (live rooms). It has no models of its own any more: it
    keeps the migration history of the tables those apps took over, so
    existing databases migrate without copying or dropping anything."""

    name = "chat"
    verbose_name = "Chat (migration history)"
