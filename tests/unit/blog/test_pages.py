"""Posts, articles and their index pages as readers see them."""

import json
import re

import pytest
from wagtail.models import PageViewRestriction

from blog.models import PostPage
from tests.factories import (
    ArticleIndexPageFactory,
    ArticlePageFactory,
    AuthorFactory,
    BlogCategoryFactory,
    BlogIndexPageFactory,
    ImageFactory,
    PostPageFactory,
    heading,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD element"
    return json.loads(match.group(1))


@pytest.fixture
def blog():
    return BlogIndexPageFactory(title="Blog", slug="blog")


def test_post_page_shows_its_content_meta_and_tags(client, blog):
    author = AuthorFactory(name="Ada Writer", slug="ada")
    category = BlogCategoryFactory(name="Field notes", slug="field-notes")
    post = PostPageFactory(
        parent=blog,
        title="Keeping a sourdough starter",
        intro="Flour, water and patience.",
        category=category,
        hero_image=ImageFactory(),
        body=[heading("Feeding"), paragraph("Feed it twice a day. " * 200)],
    )
    post.authors.set([author])
    post.tags.set(["bread", "fermentation"])
    post = publish(post)

    html = client.get(post.url).content.decode()
    assert '<h1 class="entry__title">Keeping a sourdough starter</h1>' in html
    assert "Flour, water and patience." in html
    assert '<a href="/blog/?author=ada" rel="author">Ada Writer</a>' in html
    assert '<a href="/blog/?category=field-notes">Field notes</a>' in html
    assert '<h2 id="feeding" class="heading-anchor">Feeding</h2>' in html
    assert 'href="/blog/?tag=bread" rel="tag">bread</a>' in html
    # 1,000 words at 230 words a minute.
    assert post.reading_time == 4
    assert "4 min read" in html
    assert 'fetchpriority="high"' in html


def test_post_json_ld_is_a_blog_posting(client, blog):
    post = PostPageFactory(parent=blog, title="JSON-LD post")
    post.authors.set([AuthorFactory(name="Sam Author")])
    post.tags.set(["testing"])
    post = publish(post)
    data = json_ld(client.get(post.url).content.decode())
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "JSON-LD post"
    assert data["author"] == [{"@type": "Person", "name": "Sam Author"}]
    assert data["keywords"] == ["testing"]
    assert data["url"] == f"http://localhost{post.url}"


def test_post_has_canonical_open_graph_and_twitter_meta(client, blog):
    post = publish(PostPageFactory(parent=blog, title="Shared post", hero_image=ImageFactory()))
    html = client.get(post.url).content.decode()
    assert f'<link rel="canonical" href="http://localhost{post.url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Shared post">' in html
    assert '<meta property="og:image" content="http://testserver/media/images/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_article_has_table_of_contents_and_related_reading(client):
    index = ArticleIndexPageFactory(slug="articles")
    related = publish(ArticlePageFactory(parent=index, title="The water supply"))
    hidden = ArticlePageFactory(parent=index, title="A draft neighbour")
    hidden.unpublish()
    article = ArticlePageFactory(parent=index, title="The night market")
    article.related_links.create(page=related, sort_order=0)
    article.related_links.create(page=hidden, sort_order=1)
    article = publish(article)

    html = client.get(article.url).content.decode()
    toc = html.split('<nav class="toc"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="#beginnings">Beginnings</a>' in toc
    assert 'class="toc__item toc__item--h3"><a href="#details">Details</a>' in toc
    assert '<a href="#endings">Endings</a>' in toc
    related_section = html.split('id="related-heading"', 1)[1]
    assert "The water supply" in related_section
    assert "A draft neighbour" not in html
    assert json_ld(html)["@type"] == "Article"


def test_blog_index_lists_live_public_posts_newest_first(client, blog):
    older = PostPageFactory(parent=blog, title="Older post", date="2026-01-01")
    newer = PostPageFactory(parent=blog, title="Newer post", date="2026-03-01")
    draft = PostPageFactory(parent=blog, title="Draft post")
    draft.unpublish()
    private = PostPageFactory(parent=blog, title="Private post")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    html = client.get(blog.url).content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "Draft post" not in html
    assert "Private post" not in html

    oldest_first = client.get(blog.url, {"sort": "oldest"}).content.decode()
    assert oldest_first.index(older.title) < oldest_first.index(newer.title)


def test_blog_index_filters_by_tag_category_and_author(client, blog):
    author = AuthorFactory(slug="kim")
    category = BlogCategoryFactory(slug="food")
    tagged = PostPageFactory(parent=blog, title="Tagged post")
    tagged.tags.set(["bread"])
    publish(tagged)
    in_category = PostPageFactory(parent=blog, title="Food post", category=category)
    by_author = PostPageFactory(parent=blog, title="Post by Kim")
    by_author.authors.set([author])
    publish(by_author)
    del in_category

    def titles(**params):
        html = client.get(blog.url, params).content.decode()
        return {title for title in ("Tagged post", "Food post", "Post by Kim") if title in html}

    assert titles(tag="bread") == {"Tagged post"}
    assert titles(category="food") == {"Food post"}
    assert titles(author="kim") == {"Post by Kim"}
    assert titles(tag="no-such-tag") == set()
    # Unknown filters and sorts are ignored, not errors.
    assert client.get(blog.url, {"sort": "'; DROP TABLE", "colour": "red"}).status_code == 200


def test_blog_index_paginates_twelve_a_page(client, blog):
    for number in range(14):
        PostPageFactory(parent=blog, title=f"Paged post {number:02d}")
    first = client.get(blog.url).content.decode()
    assert first.count('class="card"') == 12
    assert "Page 1 of 2" in first
    second = client.get(blog.url, {"page": 2}).content.decode()
    assert second.count('class="card"') == 2


def test_scheduled_post_goes_live_when_publish_scheduled_runs(blog):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    post = PostPageFactory(parent=blog, title="Tomorrow's post", live=False)
    post.go_live_at = timezone.now() + datetime.timedelta(minutes=5)
    post.save_revision().publish()
    post.refresh_from_db()
    assert not post.live

    call_command("publish_scheduled")
    assert not PostPage.objects.get(pk=post.pk).live

    later = timezone.now() + datetime.timedelta(minutes=6)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    assert PostPage.objects.get(pk=post.pk).live


def test_revision_revert_restores_older_content(blog):
    post = publish(PostPageFactory(parent=blog, title="First title"))
    first_revision = post.live_revision
    post.title = "Second title"
    post = publish(post)
    assert post.title == "Second title"

    first_revision.publish()
    post.refresh_from_db()
    assert post.title == "First title"
    assert post.revisions.count() == 2
