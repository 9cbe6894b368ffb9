"""The like endpoint does not reveal which pages and comments exist: an
unknown id, a draft, a restricted or expired page, a page type without likes
and a comment the reader cannot see all get the same status and body, for a
like and for an unlike, with HTMX and without."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from community.likes import NOTHING_TO_LIKE
from community.models import CommentStatus, Like
from tests.community import add_comment, live_post, reader
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hidden_targets():
    """Like targets a signed-in reader must not be able to tell apart from
    ids that do not exist."""
    draft = live_post(live=False)
    restricted = live_post()
    PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    expired = live_post()
    Page.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    standard = StandardPageFactory()  # live, but its type takes no likes
    public = live_post()
    pending = add_comment(public, reader(), status=CommentStatus.PENDING)
    on_draft = add_comment(draft, reader())
    return {
        "unknown page": "page:999999",
        "draft page": f"page:{draft.pk}",
        "restricted page": f"page:{restricted.pk}",
        "expired page": f"page:{expired.pk}",
        "page without likes": f"page:{standard.pk}",
        "unknown comment": "comment:999999",
        "someone's pending comment": f"comment:{pending.pk}",
        "comment on a draft": f"comment:{on_draft.pk}",
        "malformed": "page:abc",
        "unknown kind": "user:1",
    }


def without_per_request_values(html):
    """The body with what differs on every response (CSP nonces, CSRF tokens)
    taken out, so two responses can be compared for what they reveal."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


@pytest.mark.parametrize("liked", ["1", "0"])
def test_htmx_refusals_are_identical(client, hidden_targets, liked):
    client.force_login(reader())
    answers = {}
    for name, target in hidden_targets.items():
        data = {"target": target, "liked": liked}
        response = client.post(reverse("community_like"), data, **HTMX)
        answers[name] = (response.status_code, response.content.decode())
    assert set(answers.values()) == {(404, NOTHING_TO_LIKE)}, answers
    assert not Like.objects.exists()


@pytest.mark.parametrize("liked", ["1", "0"])
def test_plain_post_refusals_are_identical(client, hidden_targets, liked):
    client.force_login(reader())
    answers = {}
    for name, target in hidden_targets.items():
        response = client.post(
            reverse("community_like"), {"target": target, "liked": liked, "next": "/"}
        )
        answers[name] = (response.status_code, without_per_request_values(response.text))
    assert {status for status, _ in answers.values()} == {404}, answers
    assert len({body for _, body in answers.values()}) == 1
    assert not Like.objects.exists()


def test_a_likeable_page_and_comment_still_take_likes(client):
    post = live_post()
    comment = add_comment(post, reader())
    client.force_login(reader())
    for target in (f"page:{post.pk}", f"comment:{comment.pk}"):
        response = client.post(reverse("community_like"), {"target": target, "liked": "1"}, **HTMX)
        assert response.status_code == 200
        assert 'aria-pressed="true"' in response.content.decode()
    assert Like.objects.count() == 2
