"""The comment section on post and article pages, without JavaScript (POST
and redirect) and with HTMX (fragments), and its query budget."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.likes import set_like
from community.models import Comment, CommentStatus, Report
from community.templatetags.community_tags import csrf_placeholder
from tests.admin_forms import post_form_data
from tests.community import add_comment, live_article, live_post, reader, trusted_reader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_url(page):
    return reverse("community_post_comment", args=[page.pk])


def test_anonymous_readers_see_comments_and_an_invitation(client):
    post = live_post()
    add_comment(post, reader(), body="Public words")
    html = client.get(post.url).content.decode()
    assert "1 comment" in html
    assert "Public words" in html
    assert "to join the conversation" in html
    assert 'name="body"' not in html
    assert "/accounts/login/?next=" in html


def test_comments_closed_hides_the_section_but_keeps_likes(client):
    post = live_post(comments_enabled=False)
    html = client.get(post.url).content.decode()
    assert 'class="community__likes"' in html
    assert "community__heading" not in html
    assert "comment-list" not in html and "to join the conversation" not in html


def test_post_without_javascript_redirects_to_the_new_comment(client):
    post = live_post()
    author = trusted_reader()
    client.force_login(author)
    response = client.post(post_url(post), {"body": "Plain form, no script", "comments": "oldest"})
    comment = Comment.objects.get(body="Plain form, no script")
    assert response.status_code == 302
    assert response["Location"] == f"{post.url}#comment-{comment.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is published." in page
    assert f'id="comment-{comment.pk}"' in page


def test_post_with_htmx_returns_the_section(client):
    article = live_article()
    client.force_login(trusted_reader())
    response = client.post(post_url(article), {"body": "Swapped in place"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section class="community')
    assert "Swapped in place" in html
    assert "Your comment is published." in html
    assert "<html" not in html


def test_invalid_comment_keeps_the_text_and_explains(client, settings):
    settings.COMMUNITY_COMMENT_MAX_LENGTH = 30
    post = live_post()
    client.force_login(trusted_reader())
    text = "This comment is far too long for the tiny limit"
    response = client.post(post_url(post), {"body": text})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html  # the whole page, without JavaScript
    assert f">{text}</textarea>" in html
    assert "at most 30 characters" in html
    assert not Comment.objects.filter(page=post).exists()
    response = client.post(post_url(post), {"body": text}, **HTMX)
    assert response.status_code == 422
    assert f">{text}</textarea>" in response.content.decode()


def test_refused_reply_keeps_the_text_in_the_reply_form(client, settings):
    settings.COMMUNITY_COMMENTS_PER_MINUTE = 1
    post = live_post()
    top = add_comment(post, reader())
    client.force_login(trusted_reader())
    client.post(post_url(post), {"body": "first"})
    response = client.post(post_url(post), {"body": "my reply", "reply_to": top.pk}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "very fast" in html
    assert '<details class="comment-reply" open>' in html
    assert ">my reply</textarea>" in html


def test_own_pending_comment_is_marked_and_hidden_from_others(client):
    post = live_post()
    newcomer = reader()
    client.force_login(newcomer)
    client.post(post_url(post), {"body": "My very first comment"})
    mine = client.get(post.url).content.decode()
    assert "My very first comment" in mine
    assert "Awaiting moderation" in mine
    client.force_login(reader())
    theirs = client.get(post.url).content.decode()
    assert "My very first comment" not in theirs
    client.logout()
    assert "My very first comment" not in client.get(post.url).content.decode()


def test_anonymous_post_goes_to_login(client):
    post = live_post()
    response = client.post(post_url(post), {"body": "hi", "next": post.url})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(post_url(post), {"body": "hi"}, **HTMX, HTTP_HX_CURRENT_URL=post.url)
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert not Comment.objects.exists()


def test_cannot_post_to_private_or_unknown_pages(client):
    from wagtail.models import PageViewRestriction

    post = live_post()
    PageViewRestriction.objects.create(page=post, restriction_type="login")
    client.force_login(trusted_reader())
    assert client.post(post_url(post), {"body": "x y"}).status_code == 404
    assert (
        client.post(reverse("community_post_comment", args=[999999]), {"body": "x"}).status_code
        == 404
    )


def test_edit_within_the_window_with_and_without_htmx(client):
    post = live_post()
    author = trusted_reader()
    comment = add_comment(post, author, body="Typo here")
    client.force_login(author)
    url = reverse("community_edit_comment", args=[comment.pk])
    form = client.get(url, **HTMX).content.decode()
    assert form.startswith('<form class="comment comment-form comment-form--edit"')
    assert ">Typo here</textarea>" in form
    response = client.post(url, {"body": "No typo here"}, **HTMX)
    assert response.status_code == 200
    assert "No typo here" in response.content.decode()
    assert "edited" in response.content.decode()
    response = client.post(url, {"body": "Final words"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Final words"
    # Someone else cannot edit it.
    client.force_login(reader())
    client.post(url, {"body": "Hijacked"})
    comment.refresh_from_db()
    assert comment.body == "Final words"


def test_delete_with_and_without_htmx(client):
    post = live_post()
    author = trusted_reader()
    first = add_comment(post, author, body="Delete me plainly")
    second = add_comment(post, author, body="Delete me with htmx")
    client.force_login(author)
    confirm = client.get(reverse("community_delete_comment", args=[first.pk]))
    assert "Delete your comment?" in confirm.content.decode()
    response = client.post(reverse("community_delete_comment", args=[first.pk]))
    assert response.status_code == 302
    response = client.post(reverse("community_delete_comment", args=[second.pk]), **HTMX)
    assert "Your comment is deleted." in response.content.decode()
    assert Comment.objects.filter(deleted_at__isnull=False).count() == 2
    assert "Delete me" not in client.get(post.url).content.decode()


def test_report_once_per_reader(client):
    post = live_post()
    comment = add_comment(post, reader(), body="Buy cheap watches")
    reporter = reader()
    client.force_login(reporter)
    url = reverse("community_report_comment", args=[comment.pk])
    response = client.post(url, {"reason": "spam", "details": "An advert"}, **HTMX)
    assert "A moderator will look at this comment." in response.content.decode()
    response = client.post(url, {"reason": "abuse"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.details) == (reporter, "spam", "An advert")
    # Authors cannot report themselves; nobody can report an unknown reason.
    client.force_login(comment.author)
    assert client.post(url, {"reason": "spam"}).status_code == 422
    assert client.post(url, {"reason": "because"}).status_code == 422
    assert Report.objects.count() == 1


def test_comments_are_paginated_and_ordered(client, settings):
    settings.COMMUNITY_COMMENTS_PER_PAGE = 2
    post = live_post()
    author = reader()
    for body in ("alpha", "beta", "gamma"):
        add_comment(post, author, body=f"Comment {body}")
    first = client.get(post.url).content.decode()
    assert "Comment alpha" in first and "Comment beta" in first and "Comment gamma" not in first
    assert "Page 1 of 2" in first
    second = client.get(post.url, {"comments_page": 2}).content.decode()
    assert "Comment gamma" in second and "Comment alpha" not in second
    newest = client.get(post.url, {"comments": "newest"}).content.decode()
    assert newest.index("Comment gamma") < newest.index("Comment beta")


def add_conversation(post, threads):
    authors = [reader() for _ in range(3)]
    for number in range(threads):
        top = add_comment(post, authors[number % 3], body=f"Thread {number}")
        add_comment(post, authors[(number + 1) % 3], body=f"Reply to {number}", parent=top)
        if number % 2:
            add_comment(post, authors[(number + 2) % 3], status=CommentStatus.PENDING, parent=top)


@pytest.mark.parametrize("signed_in", [False, True])
def test_section_queries_do_not_grow_with_comments(client, settings, signed_in):
    settings.COMMUNITY_COMMENTS_PER_PAGE = 100
    settings.PAGE_CACHE_SECONDS = 0  # measure the rendering, not the page cache
    viewer = trusted_reader()
    if signed_in:
        client.force_login(viewer)
    counts = []
    for threads in (5, 50):
        post = live_post()
        add_conversation(post, threads)
        client.get(post.url)  # warm the fragment cache, as on every view but the first
        with CaptureQueriesContext(connection) as captured:
            response = client.get(post.url)
        assert response.content.decode().count('class="comment-thread"') == threads
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_previews_show_no_conversation(client):
    post = live_post()
    add_comment(post, reader(), body="Only on the live page")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        reverse("wagtailadmin_pages:preview_on_edit", args=[post.pk]),
        post_form_data(post.title, post.slug),
    )
    assert response.json()["is_valid"], response.content[:500]
    html = client.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[post.pk])
    ).content.decode()
    assert "Likes and comments appear on the published page." in html
    assert "Only on the live page" not in html


def test_signed_in_readers_see_everyones_threads_marked_with_their_own_likes_and_rights(client):
    """The threads are read once for everyone (community/threads.py); each
    signed-in reader's likes, edit links and pending comments are their own."""
    post = live_post()
    ada, bea = trusted_reader(), trusted_reader()
    by_ada = add_comment(post, ada, body="Ada's crumb")
    by_bea = add_comment(post, bea, body="Bea's crust")
    set_like(ada, by_bea, True)
    add_comment(post, bea, body="Bea still waiting", status=CommentStatus.PENDING)

    def section_for(user):
        client.force_login(user)
        return client.get(post.url).content.decode()

    for _ in range(2):  # the second time from the shared cache
        as_ada = section_for(ada)
        as_bea = section_for(bea)
        edit_ada = reverse("community_edit_comment", args=[by_ada.pk])
        edit_bea = reverse("community_edit_comment", args=[by_bea.pk])
        assert edit_ada in as_ada and edit_bea not in as_ada
        assert edit_bea in as_bea and edit_ada not in as_bea
        assert as_ada.count('aria-pressed="true"') == 1  # her like of Bea's comment
        assert as_bea.count('aria-pressed="true"') == 0
        assert "Bea still waiting" in as_bea and "Bea still waiting" not in as_ada


def section_token(html):
    """The CSRF token of the comment form in a rendered page."""
    form = html[html.index('class="comment-form"') :]
    marker = 'name="csrfmiddlewaretoken" value="'
    start = form.index(marker) + len(marker)
    return form[start : form.index('"', start)]


def test_signed_in_readers_without_marks_share_one_rendering_with_their_own_tokens(settings):
    """A second signed-in reader with no likes or comments of their own gets
    the section rendered for the first, with their own CSRF token in it."""
    settings.PAGE_CACHE_SECONDS = 0
    post = live_post()
    add_comment(post, reader(), body="Somebody else's thought")
    readers = {"ada": trusted_reader(), "bea": trusted_reader()}
    pages = {}
    for name, user in readers.items():
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        response = browser.get(post.url)
        pages[name] = (browser, response)
    rendered = {
        name: "community/section.html" in [t.name for t in response.templates]
        for name, (_, response) in pages.items()
    }
    assert rendered == {"ada": True, "bea": False}
    for name, (browser, response) in pages.items():
        html = response.content.decode()
        assert csrf_placeholder() not in html
        assert "Somebody else's thought" in html and 'aria-pressed="true"' not in html
        posted = browser.post(
            post_url(post),
            {"body": f"{name} agrees", "csrfmiddlewaretoken": section_token(html)},
        )
        assert posted.status_code == 302, (name, posted.status_code)
    assert set(Comment.objects.filter(page=post).values_list("body", flat=True)) == {
        "Somebody else's thought",
        "ada agrees",
        "bea agrees",
    }


def test_a_readers_own_like_gives_them_a_rendering_of_their_own(settings):
    settings.PAGE_CACHE_SECONDS = 0
    post = live_post()
    comment = add_comment(post, reader(), body="Worth a like")
    ada, bea = trusted_reader(), trusted_reader()
    set_like(ada, comment, True)
    for user, pressed in ((bea, 0), (ada, 1), (bea, 0)):
        browser = Client()
        browser.force_login(user)
        assert browser.get(post.url).content.decode().count('aria-pressed="true"') == pressed
