"""Which pages take comments and likes: live, public posts whose comments are
switched on, and live, public articles."""

from wagtail.models import Page

from core.content_cache import cached
from core.privacy import public_pages

# Page types readers may comment on and like. A type with a
# `comments_enabled` field follows that switch; the others always accept.
COMMENTABLE_PAGE_TYPES = {"blog.postpage", "blog.articlepage"}


def is_commentable_type(page):
    """True when `page` (specific) is a type readers can comment on."""
    return page._meta.label_lower in COMMENTABLE_PAGE_TYPES


def accepts_likes(page):
    """True when readers may like `page` (specific): a live, public page of a
    commentable type."""
    if not is_commentable_type(page) or not page.live:
        return False
    return public_pages(Page.objects.filter(pk=page.pk)).exists()


def accepts_comments(page):
    """True when readers may comment on `page` (specific) right now."""
    return getattr(page, "comments_enabled", True) and accepts_likes(page)


def cached_page_state(page):
    """(accepts likes, accepts comments) for rendering, cached under the
    content version (a publish or privacy change refreshes it)."""
    return cached(
        "community-page-state", lambda: (accepts_likes(page), accepts_comments(page)), page.pk
    )
