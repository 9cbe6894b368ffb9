"""CSRF holds on every community form and HTMX request."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from community.models import Comment, Like, Report
from tests.community import add_comment, live_post, reader, trusted_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def csrf_token_from(client, url):
    """The token a page gives the browser: the hx-headers value on <body>."""
    html = client.get(url).content.decode()
    return re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html).group(1)


def test_forms_without_the_token_are_refused(strict_client):
    post = live_post()
    comment = add_comment(post, reader())
    strict_client.force_login(trusted_reader())
    attempts = [
        (reverse("community_post_comment", args=[post.pk]), {"body": "No token"}),
        (reverse("community_like"), {"target": f"page:{post.pk}", "liked": "1"}),
        (reverse("community_report_comment", args=[comment.pk]), {"reason": "spam"}),
        (reverse("community_delete_comment", args=[comment.pk]), {}),
        (reverse("community_edit_comment", args=[comment.pk]), {"body": "x"}),
        (reverse("accounts_profile"), {"display_name": "Mallory"}),
        (reverse("accounts_delete"), {"password": "pw", "confirm": "on"}),
        (reverse("account_logout"), {}),
    ]
    for url, data in attempts:
        assert strict_client.post(url, data).status_code == 403, url
        assert strict_client.post(url, data, HTTP_HX_REQUEST="true").status_code == 403, url
    assert not Comment.objects.filter(page=post, body="No token").exists()
    assert not Like.objects.exists() and not Report.objects.exists()


def test_forms_and_htmx_requests_with_the_token_succeed(strict_client):
    post = live_post()
    author = reader()
    comment = add_comment(post, author)
    strict_client.force_login(trusted_reader())
    token = csrf_token_from(strict_client, post.url)
    # A plain form posts the hidden field...
    response = strict_client.post(
        reverse("community_post_comment", args=[post.pk]),
        {"body": "With a token", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    # ...HTMX sends the header that base.html puts on <body>.
    response = strict_client.post(
        reverse("community_like"),
        {"target": f"page:{post.pk}", "liked": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    response = strict_client.post(
        reverse("community_report_comment", args=[comment.pk]),
        {"reason": "spam"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert Comment.objects.filter(body="With a token").exists()
    assert Like.objects.filter(page=post).count() == 1
    assert Report.objects.count() == 1


def test_reader_login_and_signup_need_the_token(strict_client):
    for url, data in [
        (reverse("account_login"), {"login": "a@example.com", "password": "x"}),
        (reverse("account_signup"), {"email": "a@example.com", "password1": "x", "password2": "x"}),
    ]:
        assert strict_client.post(url, data).status_code == 403
