"""Two browsers: the demo reader comments on and likes a post,
and the post's author sees the bell light up without reloading, opens the
notification and lands on the comment."""

import uuid

from django.contrib.auth import get_user_model
from playwright.sync_api import expect
from wagtail.models import Page

from community.models import Comment, Like
from community.posting import needs_premoderation
from home.demo import DEMO_PASSWORD
from notifications.models import Notification

POST_URL = "/blog/dialling-in-espresso-grind-size/"


def sign_in(context, email):
    """A page signed in through the allauth form as `email`."""
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".account-links__name").count() == 1, "sign-in failed"
    return page


def bell_count(page):
    badge = page.locator("[data-bell-count]")
    return 0 if badge.is_hidden() else int(badge.inner_text())


def test_author_bell_lights_up_when_a_reader_comments_and_likes(
    live_db, demo_site, new_context, screenshot
):
    User = get_user_model()
    author = User.objects.get(username="author")
    reader = User.objects.get(username="reader")
    assert not needs_premoderation(reader)  # the demo reader is a regular
    Notification.objects.filter(recipient=author).delete()
    post = Page.objects.get(url_path__endswith="/dialling-in-espresso-grind-size/")
    Like.objects.filter(user=reader, page=post).delete()  # so the click is a like
    token = uuid.uuid4().hex[:6]

    author_page = sign_in(new_context(), author.email)
    author_page.goto(POST_URL)
    errors = []
    author_page.on("pageerror", lambda error: errors.append(str(error)))
    author_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # The socket is open once the server has sent the initial count.
    # Playwright's own polling (a string predicate would be eval'd in the
    # page, which the site's CSP forbids).
    expect(author_page.locator("[data-bell-label]")).to_have_attribute(
        "aria-label", "Notifications, 0 unread", timeout=30_000
    )
    assert bell_count(author_page) == 0

    reader_page = sign_in(new_context(), reader.email)
    reader_page.goto(POST_URL)
    reader_page.fill("#comment-body", f"Grind finer, then finer again ({token}).")
    reader_page.click("form.comment-form >> text=Post comment")
    reader_page.locator(".comment").filter(has_text=token).wait_for()
    comment = Comment.objects.get(author=reader, body__contains=token)
    assert comment.published_at is not None

    # No reload: the count arrives over the WebSocket.
    expect(author_page.locator("[data-bell-count]")).to_have_text("1", timeout=30_000)
    assert bell_count(author_page) == 1
    saved = Notification.objects.get(recipient=author, verb="comment_posted")
    assert saved.actor == reader and saved.read_at is None

    reader_page.locator(".community__likes .like__button").click()
    reader_page.locator(".community__likes .like__button[aria-pressed=true]").wait_for()
    expect(author_page.locator("[data-bell-count]")).to_have_text("2", timeout=30_000)

    author_page.click("[data-bell-label]")
    items = author_page.locator(".bell__item--unread")
    items.nth(1).wait_for()
    texts = items.all_inner_texts()
    assert any("commented on" in text and post.title in text for text in texts), texts
    assert any("liked" in text for text in texts), texts
    screenshot(author_page, "notifications-1-bell-open")

    author_page.locator(".bell__item--unread").filter(has_text="commented on").locator(
        "button"
    ).click()
    author_page.wait_for_url(f"**{POST_URL}#comment-{comment.pk}")
    saved.refresh_from_db()
    assert saved.read_at is not None
    expect(author_page.locator("[data-bell-count]")).to_have_text("1", timeout=30_000)

    author_page.goto("/notifications/")
    assert "commented on" in author_page.content()
    screenshot(author_page, "notifications-2-list")
    assert errors == []
