"""A new reader signs up, confirms their address from the email, comments,
replies and likes with HTMX; a moderator approves the first comment in the
Wagtail admin and everyone can read it."""

import email
import re
import uuid

from allauth.account.models import EmailAddress

from community.models import Comment, CommentStatus, Like
from tests.live import read_emails, wait_until

POST_URL = "/blog/houseplants-for-low-light-flats/"


def watch_errors(page):
    """Collect script errors and CSP violations (both show as console errors)."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def confirmation_link(email_dir, address):
    """The confirmation URL from the email sent to `address` (via Celery)."""
    for raw in read_emails(email_dir):
        message = email.message_from_string(raw.strip())
        if address not in message.get("To", ""):
            continue
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode()
                found = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text)
                if found:
                    return found.group(0)
    return None


def test_reader_comments_replies_likes_and_moderator_approves(
    live_db, demo_site, celery_worker, email_dir, new_context, screenshot
):
    token = uuid.uuid4().hex[:6]
    name = f"Ruth {token}"
    address = f"ruth-{uuid.uuid4().hex[:8]}@example.com"

    # Sign up -------------------------------------------------------------
    reader = new_context().new_page()
    errors = watch_errors(reader)
    reader.goto("/accounts/signup/")
    reader.fill("input[name=display_name]", name)
    reader.fill("input[name=email]", address)
    reader.fill("input[name=password1]", "a long and lovely passphrase")
    reader.fill("input[name=password2]", "a long and lovely passphrase")
    screenshot(reader, "community-1-sign-up")
    reader.click("form.form button[type=submit]")
    reader.wait_for_load_state()
    assert reader.locator(".account-links__name").inner_text() == name

    # Confirm the address from the email the worker sent ---------------------
    link = wait_until(
        lambda: confirmation_link(email_dir, address), timeout=30, message="the confirmation email"
    )
    reader.goto(link)
    screenshot(reader, "community-2-confirm-email")
    reader.click("form.form button[type=submit]")
    reader.wait_for_load_state()
    assert EmailAddress.objects.get(email=address).verified

    # Comment, reply and like with HTMX ---------------------------------------
    reader.goto(POST_URL)
    reader.fill("#comment-body", f"My first comment ({token}): the ZZ plant survives anything.")
    reader.click("form.comment-form >> text=Post comment")
    notice = reader.locator(".community__notice")
    notice.wait_for()
    assert "once a moderator has read it" in notice.inner_text()
    mine = reader.locator(".comment--pending").filter(has_text=token)
    assert "Awaiting moderation" in mine.inner_text()

    first_thread = reader.locator(".comment-thread").first
    first_thread.locator("details.comment-reply > summary").click()
    first_thread.locator("textarea[name=body]").fill("Replying to say thank you for the tip.")
    first_thread.locator("text=Post reply").click()
    reader.locator(".comment--reply.comment--pending").filter(has_text="thank you").wait_for()

    page_like = reader.locator(".community__likes .like__button")
    before = int(reader.locator(".community__likes .like__count").inner_text())
    page_like.click()
    reader.locator(".community__likes .like__button[aria-pressed=true]").wait_for()
    assert int(reader.locator(".community__likes .like__count").inner_text()) == before + 1
    comment_like = (
        reader.locator(".comment-thread").first.locator(".comment__actions .like__button").first
    )
    comment_like.click()
    reader.locator(".comment-thread").first.locator(
        ".comment__actions .like__button[aria-pressed=true]"
    ).first.wait_for()
    screenshot(reader, "community-3-reader-commented")
    user_likes = Like.objects.filter(user__email=address)
    assert user_likes.filter(page__isnull=False).count() == 1
    assert user_likes.filter(comment__isnull=False).count() == 1
    first_comment = Comment.objects.get(author__email=address, parent__isnull=True)
    assert first_comment.status == CommentStatus.PENDING
    assert Comment.objects.get(author__email=address, parent__isnull=False).status == "pending"

    # Others do not see pending comments -----------------------------------------
    visitor = new_context().new_page()
    visitor.goto(POST_URL)
    assert token not in visitor.content()

    # The moderator approves the first comment ---------------------------------------
    moderator = new_context().new_page()
    moderator.goto("/admin/login/")
    moderator.fill("input[name=username]", "moderator")
    moderator.fill("input[name=password]", "pressroom")
    moderator.click("button[type=submit]")
    moderator.wait_for_url("**/admin/")
    assert "Community (" in moderator.content()  # the menu counts the queue
    moderator.goto("/admin/community_comments/")
    row = moderator.locator("tr").filter(has_text=f"My first comment ({token})")
    row.locator("a").first.click()
    moderator.wait_for_load_state()
    screenshot(moderator, "community-4-moderator-reviews")
    moderator.click("button[value=approve]")
    moderator.wait_for_url("**/admin/community_comments/")
    assert "Approved." in moderator.locator(".messages").inner_text()
    screenshot(moderator, "community-5-queue-after-approval")
    first_comment.refresh_from_db()
    assert first_comment.status == CommentStatus.APPROVED

    # Now everyone reads it; the reader sees it without the pending mark ------------------
    visitor.reload()
    assert f"My first comment ({token})" in visitor.content()
    reader.reload()
    approved = reader.locator(f"#comment-{first_comment.pk}")
    assert "Awaiting moderation" not in approved.inner_text()
    screenshot(visitor, "community-6-visible-to-all")
    assert errors == []
