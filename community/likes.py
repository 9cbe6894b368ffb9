"""Likes on pages and comments. Each request states the wanted state (like or
unlike), never "toggle", so a double click or two tabs at once end in the
same place; the unique constraints make the database the referee."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from wagtail.models import Page

from community.models import Comment, Like
from community.pages import accepts_likes
from community.signals import liked, send_on_commit


class LikeRefused(Exception):
    """The target cannot be liked; the message says why."""


@dataclass(frozen=True)
class LikeState:
    """What a like button shows: the count and whether this user likes it."""

    key: str
    count: int
    liked: bool


def target_key(target):
    """ "page:<id>" or "comment:<id>": how forms name a like target."""
    return f"{'comment' if isinstance(target, Comment) else 'page'}:{target.pk}"


def resolve_target(key):
    """The Page (specific) or Comment a key names, or LikeRefused."""
    kind, _, raw_id = (key or "").partition(":")
    if not raw_id.isdigit():
        raise LikeRefused("Unknown like target.")
    if kind == "page":
        page = Page.objects.filter(pk=int(raw_id)).specific().first()
        if page is None:
            raise LikeRefused("That page does not exist.")
        return page
    if kind == "comment":
        comment = Comment.objects.filter(pk=int(raw_id)).select_related("page").first()
        if comment is None:
            raise LikeRefused("That comment does not exist.")
        return comment
    raise LikeRefused("Unknown like target.")


def _target_filter(target):
    return {"comment": target} if isinstance(target, Comment) else {"page": target}


def check_likeable(target):
    """Raise LikeRefused unless readers may like `target` now."""
    if isinstance(target, Comment):
        if not target.is_published:
            raise LikeRefused("That comment is not public.")
        page = target.page.specific
        if not accepts_likes(page):
            raise LikeRefused("That page does not take likes.")
    elif not accepts_likes(target):
        raise LikeRefused("That page does not take likes.")


def set_like(user, target, wanted):
    """Make `user` like (wanted=True) or unlike `target`; returns the new
    LikeState. Creating a like that already exists is not an error (the
    unique constraint turns the race into a no-op); only a like that was
    really created sends the `liked` signal."""
    if wanted:
        check_likeable(target)
        try:
            with transaction.atomic():
                like = Like.objects.create(user=user, **_target_filter(target))
        except IntegrityError:
            pass  # already liked, possibly by a concurrent request
        else:
            send_on_commit(liked, Like, like=like, user=user, target=target)
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
