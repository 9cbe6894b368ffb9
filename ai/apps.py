from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI: index, tags and language models"

    def ready(self):
        from ai import receivers

        receivers.connect()
