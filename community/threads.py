"""The comment section of a page, read in a fixed number of queries.

One query reads the page's counters (likes, threads, comments, and for a
signed-in reader whether they like the page and whether they are banned);
one more reads the requested page of top-level comments together with their
replies, authors, profiles and like counts. Nothing else runs per comment.

Most readers see what everyone sees: only their own pending comments, which
nobody else can read, change the threads and counts. So those two results
are read once per content version (which comments, likes and bans bump) for
everyone, and a signed-in reader with nothing pending gets them marked with
their own likes, ban and edit rights (`reader_state`: two small queries, also
kept per content version).
"""

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from accounts.staff import has_public_profile_expression
from community.likes import LikeState, target_key
from community.models import Ban, Comment, CommentStatus, Like, visible_q
from community.posting import can_delete, can_edit
from core.content_cache import cached

ORDERS = {"newest": "Newest first", "oldest": "Oldest first"}
DEFAULT_ORDER = "oldest"


def count_of(queryset, outer_field):
    """A subquery counting `queryset` rows whose `outer_field` is the outer pk."""
    return Coalesce(
        Subquery(
            queryset.filter(**{outer_field: OuterRef("pk")})
            .order_by()
            .values(outer_field)
            .annotate(total=Count("pk"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )


def liked_by(user, relation):
    """An Exists() that is true when `user` likes the outer row."""
    if not user.is_authenticated:
        return Value(False)
    return Exists(Like.objects.filter(user=user, **{relation: OuterRef("pk")}))


@dataclass
class CommentView:
    """A comment as the template shows it."""

    comment: Comment
    like: LikeState
    can_edit: bool
    can_delete: bool
    is_own: bool
    replies: list = field(default_factory=list)

    @property
    def is_placeholder(self):
        """Shown only as "deleted"/"removed" above replies readers can see."""
        return not self.readable

    @property
    def readable(self):
        comment = self.comment
        if comment.is_deleted:
            return False
        return comment.status == CommentStatus.APPROVED or (
            self.is_own and comment.status == CommentStatus.PENDING
        )

    @property
    def is_pending(self):
        return self.comment.status == CommentStatus.PENDING


@dataclass
class Thread:
    """Everything the comment section of one page view needs."""

    page: Page
    page_like: LikeState
    comment_count: int
    threads: object  # a django.core.paginator.Page of CommentView
    order: str
    is_banned: bool = False
    orders: dict = field(default_factory=lambda: ORDERS)
    # False when the reader has pending comments: their threads are their own.
    is_shared: bool = True

    def views(self):
        """Every CommentView shown: threads and their replies."""
        return with_replies(self.threads)


def with_replies(views):
    """CommentViews of threads followed by those of their replies."""
    return [*views, *(reply for view in views for reply in view.replies)]


def clean_order(wanted):
    """A known comment order, or the default one."""
    return wanted if wanted in ORDERS else DEFAULT_ORDER


def page_counters(page, user):
    """Like count, thread and comment counts, and (for a signed-in user)
    whether they like the page and are banned, in one query."""
    comments = Comment.objects.all()
    return (
        Page.objects.filter(pk=page.pk)
        .annotate(
            like_count=count_of(Like.objects.filter(page__isnull=False), "page"),
            liked=liked_by(user, "page"),
            thread_count=count_of(comments.threads_visible_to(user), "page"),
            comment_count=count_of(comments.visible_to(user), "page"),
            banned=Exists(Ban.objects.filter(user=user)) if user.is_authenticated else Value(False),
        )
        .values("like_count", "liked", "thread_count", "comment_count", "banned")
        .get()
    )


def annotated_comments(user):
    """Comments with author, profile, like count, the user's like and
    whether the author has a public profile to link to (staff do not)."""
    return Comment.objects.select_related("author__profile").annotate(
        like_count=count_of(Like.objects.all(), "comment"),
        liked=liked_by(user, "comment"),
        author_has_profile=has_public_profile_expression("author_id"),
    )


def comment_view(comment, user, now):
    """A CommentView of an annotated comment."""
    return CommentView(
        comment=comment,
        like=LikeState(key=target_key(comment), count=comment.like_count, liked=comment.liked),
        can_edit=can_edit(user, comment, now),
        can_delete=can_delete(user, comment),
        is_own=user.is_authenticated and comment.author_id == user.pk,
    )


def build_thread(page, user, order=DEFAULT_ORDER, page_number=None):
    """The comment section for `page` as `user` sees it: the page's like
    state, counts, and page `page_number` of threads (top-level comments in
    `order`, each with its replies oldest first)."""
    order = clean_order(order)
    state = reader_state(page, user) if user.is_authenticated else None
    shared = state is None or not state.pending
    everyone = AnonymousUser()
    if shared:
        counters = cached("page-counters", lambda: page_counters(page, everyone), page.pk)
    else:
        counters = page_counters(page, user)
    paginator = Paginator([], settings.COMMUNITY_COMMENTS_PER_PAGE)
    paginator.count = counters["thread_count"]  # known from the counters query
    current = paginator.get_page(page_number)
    if shared:
        views = cached(
            "comment-threads",
            lambda: thread_views(page, everyone, order, current),
            page.pk,
            order,
            current.number,
        )
        if user.is_authenticated:
            counters = mark_own(views, counters, state, user)
    else:
        views = thread_views(page, user, order, current)
    current.object_list = views
    return Thread(
        page=page,
        page_like=LikeState(
            key=target_key(page), count=counters["like_count"], liked=counters["liked"]
        ),
        comment_count=counters["comment_count"],
        threads=current,
        order=order,
        is_banned=counters["banned"],
        is_shared=shared,
    )


@dataclass(frozen=True)
class ReaderState:
    """A signed-in reader's own marks on one page."""

    pending: bool  # comments awaiting moderation, which only they can read
    banned: bool
    likes_page: bool
    liked_comments: frozenset


def reader_state(page, user):
    """`user`'s ReaderState on `page`, read in two queries once per content
    version (which their comments, likes and bans bump)."""
    return cached("reader-page-state", lambda: read_reader_state(page, user), user.pk, page.pk)


def read_reader_state(page, user):
    """`user`'s ReaderState on `page`, from the database."""
    pending = Comment.objects.filter(
        page=page, author=user, status=CommentStatus.PENDING, deleted_at__isnull=True
    )
    flags = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(pending=Exists(pending), banned=Exists(Ban.objects.filter(user=user)))
        .values_list("pending", "banned")
        .first()
    )
    pending, banned = flags or (False, False)
    likes = set(
        Like.objects.filter(user=user)
        .filter(Q(page=page) | Q(comment__page=page))
        .values_list("page_id", "comment_id")
    )
    return ReaderState(
        pending=pending,
        banned=banned,
        likes_page=any(page_id == page.pk for page_id, _ in likes),
        liked_comments=frozenset(comment_id for _, comment_id in likes if comment_id),
    )


def mark_own(views, counters, state, user):
    """Mark everyone's CommentViews (in place) with `user`'s likes and edit
    rights (from their ReaderState); the counters with their like of the page
    and their ban."""
    now = timezone.now()
    for view in with_replies(views):
        view.like = replace(view.like, liked=view.comment.pk in state.liked_comments)
        view.can_edit = can_edit(user, view.comment, now)
        view.can_delete = can_delete(user, view.comment)
        view.is_own = view.comment.author_id == user.pk
    return {**counters, "liked": state.likes_page, "banned": state.banned}


def thread_views(page, user, order, current):
    """CommentViews of the threads on paginator page `current`, each with
    its replies oldest first, in `order`."""
    if not current.paginator.count:
        return []
    ordering = ("-created_at", "-pk") if order == "newest" else ("created_at", "pk")
    threads = Comment.objects.filter(page=page).threads_visible_to(user).order_by(*ordering)
    top_ids = threads.values("pk")[current.start_index() - 1 : current.end_index()]
    rows = annotated_comments(user).filter(
        Q(pk__in=top_ids) | (Q(parent__in=top_ids) & visible_q(user))
    )
    now = timezone.now()
    by_id = {}
    replies = []
    for comment in rows:
        view = comment_view(comment, user, now)
        if comment.parent_id:
            replies.append(view)
        else:
            by_id[comment.pk] = view
    for reply in sorted(replies, key=lambda view: (view.comment.created_at, view.comment.pk)):
        by_id[reply.comment.parent_id].replies.append(reply)
    return sorted(
        by_id.values(),
        key=lambda view: (view.comment.created_at, view.comment.pk),
        reverse=order == "newest",
    )


def single_comment(comment_id, user):
    """One comment as a CommentView (for HTMX partials), or None."""
    comment = annotated_comments(user).filter(pk=comment_id).first()
    if comment is None:
        return None
    return comment_view(comment, user, timezone.now())
