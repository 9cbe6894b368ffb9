from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class HomeConfig(AppConfig):
    """The home page, standard pages, the page base class, site settings,
    navigation and the shared StreamField blocks."""

    name = "home"
    verbose_name = "Home and site"

    def ready(self):
        from core.page_invalidation import bump_on_settings_change
        from home.models import SiteSettings

        # The header and footer show the site settings from cached fragments.
        for signal in (post_save, post_delete):
            signal.connect(
                bump_on_settings_change,
                sender=SiteSettings,
                dispatch_uid=f"home.settings.{id(signal)}",
            )
