"""Likes on pages and comments. Each request states the wanted state (like or
unlike), never "toggle", so a double click or two tabs at once end in the
same place; the unique constraints make the database the referee."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from wagtail.models import Page

from community.models import Comment, Like
from community.pages import accepts_likes
from community.signals import liked
from core.after_commit import send_after_commit

NOTHING_TO_LIKE = "There is nothing to like here."


class LikeRefused(Exception):
    """The target cannot be liked (or unliked) by this reader.

    The message is the same whatever the reason (no such id, a draft, a
    restricted or expired page, a page type without likes, a comment the
    reader cannot see), so a refusal never tells which pages or comments exist.
    """

    def __init__(self, message=NOTHING_TO_LIKE):
        super().__init__(message)


@dataclass(frozen=True)
class LikeState:
    """What a like button shows: the count and whether this user likes it."""

    key: str
    count: int
    liked: bool


def target_key(target):
    """ "page:<id>" or "comment:<id>": how forms name a like target."""
    return f"{'comment' if isinstance(target, Comment) else 'page'}:{target.pk}"


def resolve_target(key, user=None):
    """The Page (specific) or the Comment `user` can read that a key names,
    else LikeRefused. Whether it takes likes is `set_like`'s check."""
    kind, _, raw_id = (key or "").partition(":")
    if not raw_id.isdigit():
        raise LikeRefused()
    if kind == "page":
        page = Page.objects.filter(pk=int(raw_id)).specific().first()
        if page is None:
            raise LikeRefused()
        return page
    if kind == "comment":
        comments = Comment.objects.visible_to(user).select_related("page")
        comment = comments.filter(pk=int(raw_id)).first()
        if comment is None:
            raise LikeRefused()
        comment.page = comment.page.specific
        return comment
    raise LikeRefused()


def _target_filter(target):
    return {"comment": target} if isinstance(target, Comment) else {"page": target}


def check_likeable(target):
    """Raise LikeRefused unless readers may like `target` now."""
    if isinstance(target, Comment):
        if not target.is_published or not accepts_likes(target.page.specific):
            raise LikeRefused()
    elif not accepts_likes(target):
        raise LikeRefused()


def set_like(user, target, wanted):
    """Make `user` like (wanted=True) or unlike `target`; returns the new
    LikeState, or raises LikeRefused when readers cannot like `target` now.

    Creating a like that already exists is not an error (the unique
    constraint turns the race into a no-op); only a like that was really
    created sends the `liked` signal."""
    check_likeable(target)
    if wanted:
        try:
            with transaction.atomic():
                like = Like.objects.create(user=user, **_target_filter(target))
        except IntegrityError:
            pass  # already liked, possibly by a concurrent request
        else:
            send_after_commit(liked, Like, like=like, user=user, target=target)
    else:
        Like.objects.filter(user=user, **_target_filter(target)).delete()
    return like_state(user, target)


def like_state(user, target):
    """The like count of `target` and whether `user` likes it, in one query."""
    mine = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    counts = Like.objects.filter(**_target_filter(target)).aggregate(
        count=Count("pk"), mine=Count("pk", filter=mine)
    )
    return LikeState(key=target_key(target), count=counts["count"], liked=counts["mine"] > 0)
