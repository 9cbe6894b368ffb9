"""A reader asks a post a question in headless Chromium and watches the answer
stream in, then follows a source link to the section it came from."""

from ai import indexing
from blog.models import PostPage


def test_reader_asks_a_post_and_sees_tokens_stream_with_source_links(
    live_db, demo_site, new_context, screenshot
):
    post = PostPage.objects.get(slug="keeping-a-sourdough-starter-healthy")
    indexing.index_page(post.pk)
    page = new_context().new_page()
    page.goto(post.url)
    panel = page.locator("[data-assistant]")
    panel.scroll_into_view_if_needed()
    assert panel.locator("form").is_visible()
    # Count text changes of the answer as they happen: a streamed answer
    # changes many times, a single blob once.
    page.evaluate(
        """() => {
          window.answerUpdates = 0;
          const log = document.querySelector('.assistant__log');
          new MutationObserver((records) => {
            window.answerUpdates += records.filter(
              (r) => r.target.closest && r.target.closest('.assistant__text')
                || (r.target.parentElement && r.target.parentElement.closest('.assistant__text'))
            ).length;
          }).observe(log, {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.fill("[data-assistant] textarea", "What is this about?")
    page.keyboard.press("Enter")
    answer = page.locator(".assistant__message--assistant").last
    answer.locator(".assistant__sources a").first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('.assistant__message--assistant[aria-busy]')"
    )
    text = answer.locator(".assistant__text").inner_text()
    assert "starter" in text.lower()
    assert "[1]" in text or "[2]" in text
    assert page.evaluate("window.answerUpdates") > 5
    # Listed under the answer: the sources it cites, no others.
    listed = answer.locator(".assistant__sources a").all_inner_texts()
    assert listed and all(label.split(" ", 1)[0] in text for label in listed), (listed, text)
    screenshot(page, "assistant-answer")
    # The same answer on a phone: the panel fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    answer.scroll_into_view_if_needed()
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (width, inner)
    screenshot(page, "assistant-answer-390")

    source = answer.locator(".assistant__sources a").first
    href = source.get_attribute("href")
    assert post.url in href
    source.click()
    page.wait_for_url(f"**{post.url}**")
    if "#" in href:
        anchor = href.split("#", 1)[1]
        assert page.locator(f"#{anchor}").count() == 1
