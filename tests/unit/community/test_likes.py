"""Likes: a stated wish (like / unlike), so repeats change nothing."""

import pytest
from django.urls import reverse

from community.likes import LikeRefused, set_like
from community.models import CommentStatus, Like
from community.signals import liked
from tests.community import add_comment, live_article, live_post, reader
from tests.factories import StandardPageFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def likes_announced():
    events = []

    def receive(sender, **kwargs):
        events.append(kwargs)

    liked.connect(receive)
    yield events
    liked.disconnect(receive)


def test_liking_twice_is_one_like_and_one_signal(
    django_capture_on_commit_callbacks, likes_announced
):
    post = live_post()
    fan = reader()
    with django_capture_on_commit_callbacks(execute=True):
        first = set_like(fan, post, True)
        second = set_like(fan, post, True)
    assert (first.count, first.liked) == (1, True)
    assert (second.count, second.liked) == (1, True)
    assert Like.objects.filter(page=post).count() == 1
    assert len(likes_announced) == 1
    assert likes_announced[0]["target"] == post
    assert likes_announced[0]["user"] == fan
    state = set_like(fan, post, False)
    assert (state.count, state.liked) == (0, False)
    assert set_like(fan, post, False).count == 0


def test_comments_can_be_liked_only_when_public():
    post = live_post()
    public = add_comment(post, reader())
    pending = add_comment(post, reader(), status=CommentStatus.PENDING)
    fan = reader()
    assert set_like(fan, public, True).count == 1
    with pytest.raises(LikeRefused):
        set_like(fan, pending, True)
    with pytest.raises(LikeRefused):
        set_like(fan, StandardPageFactory(), True)
    assert Like.objects.count() == 1


def test_htmx_toggle_returns_the_button(client):
    article = live_article()
    client.force_login(reader())
    response = client.post(
        reverse("community_like"),
        {"target": f"page:{article.pk}", "liked": "1", "next": article.url},
        **HTMX,
    )
    html = response.content.decode()
    assert html.startswith('<form class="like"')
    assert 'aria-pressed="true"' in html
    assert 'name="liked" value="0"' in html  # the next click unlikes
    assert ">1</span>" in html
    # A double click sends "like" twice: still one like.
    client.post(reverse("community_like"), {"target": f"page:{article.pk}", "liked": "1"}, **HTMX)
    assert Like.objects.filter(page=article).count() == 1


def test_plain_post_fallback_redirects_back(client):
    post = live_post()
    comment = add_comment(post, reader())
    client.force_login(reader())
    response = client.post(
        reverse("community_like"),
        {"target": f"comment:{comment.pk}", "liked": "1", "next": post.url},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{post.url}#comment-{comment.pk}"
    assert Like.objects.filter(comment=comment).count() == 1
    html = client.get(post.url).content.decode()
    assert 'aria-pressed="true"' in html
    # An outside "next" never becomes a redirect target.
    response = client.post(
        reverse("community_like"),
        {"target": f"page:{post.pk}", "liked": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/#comments"


def test_anonymous_readers_are_sent_to_log_in(client):
    post = live_post()
    html = client.get(post.url).content.decode()
    assert 'class="chip like like--anonymous" href="/accounts/login/?next=' in html
    response = client.post(
        reverse("community_like"), {"target": f"page:{post.pk}", "liked": "1", "next": post.url}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(
        reverse("community_like"), {"target": f"page:{post.pk}", "liked": "1"}, **HTMX
    )
    assert "HX-Redirect" in response
    assert not Like.objects.exists()


def test_unknown_targets_are_refused(client):
    # 404 like every other target that cannot be liked (see test_like_enumeration).
    client.force_login(reader())
    for target in ("page:999999", "comment:abc", "user:1", ""):
        response = client.post(reverse("community_like"), {"target": target, "liked": "1"}, **HTMX)
        assert response.status_code == 404
    assert not Like.objects.exists()
