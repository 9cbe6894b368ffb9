from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI: index, tags and language models"

    def ready(self):
        # The tasks register with Celery in every process, not only in a
        # worker: ai.jobs sends them by name from wherever work is recorded.
        from ai import receivers, tasks  # noqa: F401
        from ai.panels import AITagsPanel
        from ai.tagging import AITagSource
        from core import tags
        from core.capabilities import Taggable, page_models_with

        receivers.connect()
        # Taggable pages (core.capabilities) show the AI's suggestions to
        # readers and let editors review them: page types declare the
        # capability and never import this app.
        tags.register_tag_source(AITagSource())
        for model in page_models_with(Taggable):
            if not any(isinstance(panel, AITagsPanel) for panel in model.promote_panels):
                model.promote_panels = [
                    *model.promote_panels,
                    AITagsPanel(heading="AI-suggested tags"),
                ]
