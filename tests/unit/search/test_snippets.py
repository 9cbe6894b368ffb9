"""Search results read right: a passage keeps its sentence and list
punctuation once its line breaks are flattened, and the page's two search
landmarks (header and page) have names of their own."""

import re

import pytest

from ai import indexing
from core.plaintext import html_to_text
from tests.factories import BlogIndexPageFactory, PostPageFactory, publish

pytestmark = pytest.mark.django_db


def test_list_items_end_with_punctuation_in_plain_text():
    markup = (
        "<p>Pack these:</p><ul><li>a spare tube</li><li>tyre <b>levers</b></li>"
        "<li>a pump!</li></ul><ol><li>First<ul><li>sub a</li><li>sub b</li></ul></li>"
        "<li>Second</li></ol>"
    )
    assert html_to_text(markup) == (
        "Pack these:\na spare tube;\ntyre levers;\na pump!\nFirst\nsub a;\nsub b.\nSecond."
    )


def test_a_search_passage_reads_as_sentences_and_a_list(client):
    blog = BlogIndexPageFactory(slug="blog")
    post = publish(
        PostPageFactory(
            parent=blog,
            title="Roadside puncture kit",
            body=[
                ("heading", {"text": "What to carry", "level": "h2", "anchor": ""}),
                (
                    "paragraph",
                    "<p>A roadside repair needs little.</p>"
                    "<ul><li>A spare inner tube</li><li>Two tyre levers</li>"
                    "<li>A mini pump</li></ul>",
                ),
            ],
        )
    )
    indexing.index_page(post.pk)
    html = client.get("/search/", {"query": "spare inner tube tyre levers pump"}).content.decode()
    result = re.search(r'<li class="search-result">(.*?)</li>\s*(?:<li|</ol>)', html, re.S).group(1)
    assert "Roadside puncture kit" in result
    assert (
        "<p>A roadside repair needs little. A spare inner tube; Two tyre levers; A mini pump.</p>"
        in result
    )


def test_the_search_page_names_its_two_search_landmarks_apart(client):
    html = client.get("/search/", {"query": "anything"}).content.decode()
    names = re.findall(r'<form[^>]*role="search"[^>]*aria-label="([^"]+)"', html)
    assert len(names) == 2 and len(set(names)) == 2, names
