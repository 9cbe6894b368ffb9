from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class CoreConfig(AppConfig):
    """Cross-cutting plumbing: the content version, editorial set-up, socket
    sessions, privacy hooks and safe spreadsheet exports."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from core import editorial, frontend_cache, page_invalidation, socket_sessions
        from core.content_cache import bump_content_version
        from core.spreadsheets import install_formula_escaping

        install_formula_escaping()

        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(bump_content_version, dispatch_uid=f"core.content_version.{id(signal)}")

        page_invalidation.connect_receivers()
        frontend_cache.connect_receivers()

        post_migrate.connect(editorial.setup_after_migrate, dispatch_uid="core.editorial.setup")
        for model in editorial.section_page_models():
            post_save.connect(
                editorial.configure_new_section,
                sender=model,
                dispatch_uid=f"core.editorial.section.{model._meta.label}",
            )

        # Logout, a new password or a deactivated account closes open sockets.
        socket_sessions.connect_receivers()
