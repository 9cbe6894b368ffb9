"""Which pages take comments and likes: live, public pages whose type is
`Commentable` (core.capabilities), following a `comments_enabled` switch
where the type has one."""

from wagtail.models import Page

from core.capabilities import Commentable
from core.content_cache import cached
from core.privacy import public_pages


def is_commentable_type(page):
    """True when `page` (specific) is of a type readers can comment on."""
    return isinstance(page, Commentable)


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
