"""RSS and Atom feeds, sitemap and robots.txt."""

import feedparser
import pytest
from wagtail.models import PageViewRestriction

from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    BlogIndexPageFactory,
    PostPageFactory,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog_with_posts():
    blog = BlogIndexPageFactory(slug="blog")
    public = PostPageFactory(parent=blog, title="Public bread post", intro="About bread.")
    public.tags.set(["bread"])
    publish(public)
    other = PostPageFactory(parent=blog, title="Public bike post")
    other.tags.set(["bikes"])
    publish(other)
    private = PostPageFactory(parent=blog, title="Members-only bread post")
    private.tags.set(["bread"])
    publish(private)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    draft = PostPageFactory(parent=blog, title="Unfinished bread post")
    draft.tags.set(["bread"])
    draft.save_revision()
    draft.unpublish()
    return blog


def test_rss_feed_is_valid_and_public_only(client, blog_with_posts):
    response = client.get("/blog/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Public bread post", "Public bike post"}
    bread = next(entry for entry in feed.entries if entry.title == "Public bread post")
    assert bread.link.startswith("http://localhost/blog/post-")
    assert bread.summary == "About bread."
    assert [tag.term for tag in bread.tags] == ["bread"]


def test_atom_feed_is_valid_and_public_only(client, blog_with_posts):
    response = client.get("/blog/feed/atom/")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert {entry.title for entry in feed.entries} == {"Public bread post", "Public bike post"}


def test_tag_feeds_only_carry_that_tag(client, blog_with_posts):
    for url, version in [
        ("/blog/tag/bread/feed/", "rss20"),
        ("/blog/tag/bread/feed/atom/", "atom10"),
    ]:
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        assert feed.version == version
        assert [entry.title for entry in feed.entries] == ["Public bread post"]
        assert feed.feed.title == "Blog: bread"


def test_article_feeds(client):
    index = ArticleIndexPageFactory(slug="articles")
    publish(ArticlePageFactory(parent=index, title="Long read"))
    hidden = ArticlePageFactory(parent=index, title="Hidden read")
    PageViewRestriction.objects.create(page=hidden, restriction_type="password", password="x")
    for url in ("/articles/feed/", "/articles/feed/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        assert [entry.title for entry in feed.entries] == ["Long read"]


def test_index_pages_advertise_their_feeds(client, blog_with_posts):
    html = client.get("/blog/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/blog/feed/"' in html
    assert 'href="/blog/feed/atom/"' in html


def test_sitemap_lists_live_public_pages_only(client, blog_with_posts):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/blog/" in xml
    assert xml.count("<url>") >= 4  # home, blog, two public posts
    assert "members-only" not in xml
    for slug in (
        blog_with_posts.get_children()
        .filter(title__contains="Members")
        .values_list("slug", flat=True)
    ):
        assert f"/{slug}/" not in xml


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
