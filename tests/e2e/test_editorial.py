"""The editorial workflow in a real browser: an author writes a post with three
kinds of block and submits it, an editor approves it, a reader sees it."""

import uuid

from blog.models import BlogIndexPage, PostPage


def log_in(page, username):
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pressroom")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def open_actions_menu(page):
    """Open the dropdown of more actions in the editor's footer."""
    page.locator("footer .w-dropdown__toggle").first.click()


def insert_block(page, label):
    page.locator("button[title='Insert a block']").last.click()
    page.get_by_role("option", name=label, exact=True).click()


def test_author_submits_editor_approves_reader_reads(live_db, demo_site, new_context, screenshot):
    title = f"Notes from the night ferry {uuid.uuid4().hex[:6]}"
    blog = BlogIndexPage.objects.get(slug="blog")

    author = new_context().new_page()
    log_in(author, "author")
    author.goto(f"/admin/pages/add/blog/postpage/{blog.pk}/")
    author.fill("#id_title", title)
    author.fill("#id_intro", "Crossing the strait after midnight, with the deck to ourselves.")
    insert_block(author, "Heading")
    author.fill("input[name='body-0-value-text']", "Leaving the harbour")
    insert_block(author, "Paragraph")
    editor_box = author.locator("[contenteditable=true]").last
    editor_box.click()
    editor_box.type("The engines settle into a low hum as the lights of the town fall away.")
    insert_block(author, "Quote")
    author.fill("textarea[name='body-2-value-quote']", "Every crossing is a small holiday.")
    author.fill("input[name='body-2-value-attribution']", "The purser")
    screenshot(author, "editorial-1-author-writes")

    author.locator(
        "footer .w-dropdown__toggle, .footer__container .w-dropdown__toggle"
    ).first.click()
    author.click("button[name='action-submit']")
    author.wait_for_url(lambda url: "/add/" not in url)
    post = PostPage.objects.get(title=title)
    assert post.workflow_in_progress
    assert not post.live
    screenshot(author, "editorial-2-submitted")

    editor = new_context().new_page()
    log_in(editor, "editor")
    editor.goto(f"/admin/pages/{post.pk}/edit/")
    open_actions_menu(editor)
    editor.locator("button[data-workflow-action-name='approve']").first.click()
    editor.wait_for_load_state()
    post.refresh_from_db()
    assert post.live
    screenshot(editor, "editorial-3-approved")

    reader = new_context().new_page()
    response = reader.goto(post.url)
    assert response.status == 200
    assert reader.locator("h1").inner_text() == title
    assert reader.locator("h2#leaving-the-harbour").inner_text() == "Leaving the harbour"
    assert "low hum" in reader.locator(".entry__body").inner_text()
    assert reader.locator("figure.quote figcaption").inner_text() == "— The purser"
    screenshot(reader, "editorial-4-reader")
