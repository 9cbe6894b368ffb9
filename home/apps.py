from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def bump_on_settings_change(sender, created=False, **kwargs):
    """Signal receiver: the header and footer show the site settings from
    cached fragments, so a change bumps the content version. A row being
    created is no change: Wagtail creates it with the defaults on the first
    view that reads it (`for_request`), and those defaults are what that view
    showed anyway; edits in the admin are saves of the existing row."""
    from core.page_invalidation import bump_now_and_after_commit

    if not created:
        bump_now_and_after_commit(sender)


class HomeConfig(AppConfig):
    """The home page, standard pages, the page base class, site settings,
    navigation and the shared StreamField blocks."""

    name = "home"
    verbose_name = "Home and site"

    def ready(self):
        from home.models import SiteSettings

        for signal in (post_save, post_delete):
            signal.connect(
                bump_on_settings_change,
                sender=SiteSettings,
                dispatch_uid=f"home.settings.{id(signal)}",
            )
