"""Helpers for community tests: commentable pages, readers, comments."""

import itertools

from community.models import CommentStatus
from community.posting import store_comment
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    BlogIndexPageFactory,
    PostPageFactory,
    UserFactory,
)

_numbers = itertools.count()


def live_post(**kwargs):
    """A live, public post under a new blog index."""
    return PostPageFactory(parent=BlogIndexPageFactory(), **kwargs)


def live_article(**kwargs):
    return ArticlePageFactory(parent=ArticleIndexPageFactory(), **kwargs)


def reader(**kwargs):
    return UserFactory(**kwargs)


def trusted_reader(**kwargs):
    """A reader whose comments skip pre-moderation (three published already)."""
    user = UserFactory(**kwargs)
    page = live_post()
    for _ in range(3):
        add_comment(page, user)
    return user


def add_comment(page, author, body=None, status=CommentStatus.APPROVED, parent=None):
    """A comment written straight to the database (no limits, no signals)."""
    return store_comment(
        page, author, body or f"Comment number {next(_numbers)} with some words.", parent, status
    )
