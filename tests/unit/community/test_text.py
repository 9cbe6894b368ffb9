"""Comment text renders inert: no HTML a reader types reaches the page."""

from html.parser import HTMLParser

import pytest

from community.text import fingerprint, render_comment_body
from tests.community import add_comment, live_post, reader

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "<iframe src=https://evil.example></iframe>",
    '"><script>alert(1)</script>',
    "<<script>script>alert(1)<</script>/script>",
    "<b onmouseover=alert(1)>hover</b>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<!-- <script>alert(1)</script> -->",
    "<p>unclosed <b>bold <i>italic",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<a href='https://ok.example' onclick='alert(1)'>link</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<form action=https://evil.example><input name=q></form>",
]


class ElementCollector(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements_of(html):
    collector = ElementCollector()
    collector.feed(html)
    collector.close()
    return collector.elements


def assert_inert(html):
    """Only <p>, <br> and <a href=http(s)/mailto rel=...>; no other attribute."""
    for tag, attrs in elements_of(html):
        assert tag in {"p", "br", "a"}, (tag, html)
        if tag == "a":
            assert set(attrs) == {"href", "rel"}, (attrs, html)
            assert attrs["href"].startswith(("http://", "https://", "mailto:")), html
            assert attrs["rel"] == "nofollow ugc noopener"
        else:
            assert attrs == {}, (attrs, html)


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_payload_renders_as_text(payload):
    assert_inert(str(render_comment_body(payload)))


def test_script_tag_is_shown_escaped():
    html = str(render_comment_body("<script>alert(1)</script>"))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_entities_stay_literal_text():
    # What the reader typed is what others read: "&lt;" shows as "&lt;".
    html = str(render_comment_body("&lt;b&gt; &amp; &#60;"))
    assert html == "<p>&amp;lt;b&amp;gt; &amp;amp; &amp;#60;</p>"


def test_links_become_clickable_with_safe_rel():
    html = str(render_comment_body("Read https://example.com/a?b=1&c=2 first."))
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.com/a?b=1&amp;c=2</a>"
    ) in html


def test_paragraphs_and_line_breaks():
    html = str(render_comment_body("First line\nsecond line\n\nNew paragraph"))
    assert html == "<p>First line<br>second line</p><p>New paragraph</p>"


def test_fingerprint_ignores_case_and_spacing():
    assert fingerprint("Hello   World\n") == fingerprint("hello world")
    assert fingerprint("hello world") != fingerprint("hello, world")


@pytest.mark.django_db
def test_corpus_is_inert_on_the_rendered_page(client, settings):
    settings.COMMUNITY_COMMENTS_PER_PAGE = len(XSS_CORPUS)
    post = live_post()
    author = reader()
    comments = [add_comment(post, author, body=payload) for payload in XSS_CORPUS]
    html = client.get(post.url).content.decode()
    for comment in comments:
        start = html.index(f'id="comment-{comment.pk}"')
        body = html[html.index('<div class="comment__body">', start) :]
        body = body[len('<div class="comment__body">') : body.index("</div>")]
        assert_inert(body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # From the comments section to the next part of the page (the assistant).
    section = html[html.index('id="comments"') : html.index('<section class="assistant')]
    tags = {tag for tag, _ in elements_of(section)}
    assert not tags & {"script", "iframe", "svg", "math", "style", "img"}
