"""Bylines and meta lines: articles and posts name their credited authors,
and a meta line never ends in a dangling separator when a part is missing
(the "·" is drawn by .meta-list between the parts that are there)."""

import re

import pytest

from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    BlogIndexPageFactory,
    PostPageFactory,
    publish,
)

pytestmark = pytest.mark.django_db


def meta_lines(html, css_class):
    return re.findall(rf'<p class="{css_class} meta-list">(.*?)</p>', html, re.S)


def test_an_article_has_a_byline_with_every_credited_author(client):
    index = ArticleIndexPageFactory(slug="long-reads")
    article = ArticlePageFactory(parent=index, title="Under the city")
    ada, rhys = AuthorFactory(name="Ada Okonkwo"), AuthorFactory(name="Rhys Calloway")
    article.authors.set([ada, rhys])
    article = publish(article)
    [meta] = meta_lines(client.get(article.url).content.decode(), "entry-meta")
    byline = re.search(r'<span class="entry-meta__byline">(.*?)</span>', meta, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", byline) == "By Ada Okonkwo and Rhys Calloway"
    assert f'href="/long-reads/?author={ada.slug}" rel="author"' in byline

    # The article's card in its index credits them too.
    [card_meta] = meta_lines(client.get(index.url).content.decode(), "card__meta")
    assert "<span>Ada Okonkwo and Rhys Calloway</span>" in card_meta


def test_meta_lines_of_an_author_less_post_have_no_separator_text(client):
    blog = BlogIndexPageFactory(slug="notes")
    post = publish(PostPageFactory(parent=blog, title="Unsigned"))
    [meta] = meta_lines(client.get(post.url).content.decode(), "entry-meta")
    assert "By " not in meta and "·" not in meta
    assert re.findall(r"<span>(.*?)</span>", re.sub(r"<time[^>]*>|</time>", "", meta)) == [
        post.date.strftime("%-d %B %Y"),
        f"{post.reading_time} min read",
    ]
    [card_meta] = meta_lines(client.get(blog.url).content.decode(), "card__meta")
    assert "·" not in card_meta
    assert card_meta.endswith(f"<span>{post.reading_time} min read</span>")
