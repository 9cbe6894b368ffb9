from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI: index, tags and language models"

    def ready(self):
        # The tasks register with Celery in every process, not only in a
        # worker: ai.jobs sends them by name from wherever work is recorded.
        from ai import receivers, tasks  # noqa: F401
        from ai.models import AITagSettings
        from ai.panels import AITagsPanel
        from ai.tagging import AITagSource
        from core import tags
        from core.capabilities import Taggable, page_models_with
        from core.page_invalidation import bump_on_settings_change

        receivers.connect()
        # Which AI tags readers see is decided per content version.
        for signal in (post_save, post_delete):
            signal.connect(
                bump_on_settings_change,
                sender=AITagSettings,
                dispatch_uid=f"ai.tag-settings.{id(signal)}",
            )
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
