"""Listings cost a fixed number of queries whatever the number of results;
with every field (`fields=*`) a bounded few per item (at most API_LIMIT_MAX)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AuthorFactory, BlogIndexPageFactory, PostPageFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["items"]
    return len(context.captured_queries)


def add_posts(blog, author, count):
    for number in range(count):
        post = PostPageFactory(parent=blog)
        post.tags.set(["shared", f"own-{number}"])
        post.authors.set([author])


def test_listing_queries_do_not_grow_with_results(client):
    blog = BlogIndexPageFactory(slug="blog")
    author = AuthorFactory()
    add_posts(blog, author, 3)
    urls = ["/api/v2/pages/?limit=50", "/api/v2/pages/?type=blog.PostPage&limit=50"]
    for url in urls:
        queries_for(client, url)  # the site lookup is cached after the first request
    few = [queries_for(client, url) for url in urls]
    add_posts(blog, author, 9)
    for url in urls:
        queries_for(client, url)  # what is read once per content version, read again
    assert [queries_for(client, url) for url in urls] == few


def test_every_field_costs_a_bounded_few_queries_per_item(client):
    blog = BlogIndexPageFactory(slug="blog")
    author = AuthorFactory()
    add_posts(blog, author, 3)
    url = "/api/v2/pages/?type=blog.PostPage&fields=*&limit=50"
    queries_for(client, url)  # the site lookup is cached after the first request
    three = queries_for(client, url)
    add_posts(blog, author, 9)
    queries_for(client, url)  # what is read once per content version, read again
    # Per item: the AI's tags twice (provenance and core.tags) and related items.
    assert queries_for(client, url) - three <= 9 * 4
