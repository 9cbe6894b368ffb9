"""What a public profile lists: the person's public comments and, for
authors, their live public posts and articles."""

from django.core.paginator import Paginator
from wagtail.models import Page

from blog.models import ArticlePage, Author, PostPage
from community.models import Comment
from core.listing import prefetch_for_listing
from core.privacy import public_pages

COMMENTS_PER_PAGE = 20
PAGES_SHOWN = 12


def public_comments_page(request, user):
    """The requested page of `user`'s approved comments on live, public pages,
    newest first."""
    comments = (
        Comment.objects.published()
        .filter(author=user, page__in=public_pages(Page.objects.live()).values("pk"))
        .select_related("page")
        .order_by("-created_at", "-pk")
    )
    return Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))


def authored_pages(user):
    """Live, public posts and articles credited to the author linked to
    `user` (blog.Author.user), newest first; [] for readers."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        return []
    found = []
    for model in (PostPage, ArticlePage):
        grouping = model.get_parent_index_class().grouping[0]  # category or series
        pages = public_pages(model.objects.live().filter(authors=author))
        found.extend(pages.select_related(grouping).order_by("-date", "-pk")[:PAGES_SHOWN])
    found.sort(key=lambda page: (page.date, page.pk), reverse=True)
    return prefetch_for_listing(found[:PAGES_SHOWN])
