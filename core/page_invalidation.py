"""What else, besides pages, changes what an anonymous reader sees.

Comments, likes, stock, bans (which take comments down) and readers' public
names appear on cached pages (core.page_cache), so a change to any of them
bumps the content version, and again once its transaction commits: the next anonymous
request renders afresh. So does any page row written or removed (programmatic
changes included) and any view restriction.
"""

from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction

from core.after_commit import after_commit
from core.content_cache import bump_content_version

# Models whose rows are shown on reader pages, outside page revisions: what
# cached pages and fragments (core.templatetags.fragment_tags) show of them
# must change when they do. Images and documents change renditions and
# links inside page bodies; snippets appear in bylines and filter menus; a
# Site decides URLs and routing (core.sites).
READER_VISIBLE_MODELS = (
    "community.Comment",
    "community.Like",
    "community.Ban",
    "shop.StockAdjustment",
    "accounts.Profile",
    "ai.AITag",
    "blog.Author",
    "blog.BlogCategory",
    "blog.Series",
    "wagtailcore.Site",
    "wagtaildocs.Document",
    settings.WAGTAILIMAGES_IMAGE_MODEL,
)


def bump_now_and_after_commit(sender, **kwargs):
    """Signal receiver: a reader-visible row changed, so cached pages are
    stale now and again once it commits (a request that read the old rows
    meanwhile must not keep them cached)."""
    bump_content_version()
    after_commit(bump_content_version)


def bump_on_settings_change(sender, created=False, **kwargs):
    """Signal receiver for site settings that reader pages show or obey: a
    change bumps the content version. A row being created is no change:
    Wagtail creates it with the defaults on the first view that reads it
    (`for_request`), and those defaults are what that view showed anyway;
    edits in the admin are saves of the existing row."""
    if not created:
        bump_now_and_after_commit(sender)


def bump_on_page_change(sender, instance, **kwargs):
    """Signal receiver for every model: bump when the row is a page or a view
    restriction (post_save names the concrete page class as its sender)."""
    if isinstance(instance, Page | PageViewRestriction):
        bump_now_and_after_commit(sender)


def connect_receivers():
    """Connect the bump to pages, view restrictions and every reader-visible
    model that is installed."""
    post_save.connect(bump_on_page_change, weak=False, dispatch_uid="core.cv.save")
    post_delete.connect(bump_on_page_change, weak=False, dispatch_uid="core.cv.delete")
    for label in READER_VISIBLE_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for signal in (post_save, post_delete):
            signal.connect(
                bump_now_and_after_commit,
                sender=model,
                dispatch_uid=f"core.page_invalidation.{label}.{id(signal)}",
            )
