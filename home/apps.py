from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and site"

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.models import Page, PageViewRestriction
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from home import editorial
        from home.content_cache import bump_content_version
        from home.models import SiteSettings
        from home.spreadsheets import install_formula_escaping

        install_formula_escaping()

        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(bump_content_version, dispatch_uid=f"home.content_version.{id(signal)}")

        def bump_on_page_change(sender, instance, **kwargs):
            # Any page row written or removed (programmatic changes included),
            # a view restriction or the site settings.
            if isinstance(instance, Page | PageViewRestriction | SiteSettings):
                bump_content_version()

        post_save.connect(bump_on_page_change, weak=False, dispatch_uid="home.cv.save")
        post_delete.connect(bump_on_page_change, weak=False, dispatch_uid="home.cv.delete")

        post_migrate.connect(editorial.setup_after_migrate, dispatch_uid="home.editorial.setup")

        # Logout, a new password or a deactivated account closes open sockets.
        from home import socket_sessions

        socket_sessions.connect_receivers()
        for model in editorial.section_page_models():
            post_save.connect(
                editorial.configure_new_section,
                sender=model,
                dispatch_uid=f"home.editorial.section.{model._meta.label}",
            )
