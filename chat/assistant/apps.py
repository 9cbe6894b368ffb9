from django.apps import AppConfig


class AssistantConfig(AppConfig):
    """Ask the site: the RAG assistant's socket, conversations and page."""

    name = "chat.assistant"
    label = "assistant"
    verbose_name = "Assistant"
