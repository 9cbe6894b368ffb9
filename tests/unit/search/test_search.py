import pytest
from django.utils.text import slugify
from wagtail.models import PageViewRestriction

from home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    return HomePage.objects.get()


def add_page(parent, title, **kwargs):
    page = StandardPage(title=title, slug=slugify(title), intro=f"About {title}.", **kwargs)
    return parent.add_child(instance=page)


def test_empty_query_shows_the_empty_state(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "Type a word or phrase" in response.content.decode()


def test_finds_live_pages_by_keyword(client, home):
    add_page(home, "Lighthouse keepers of the north")
    response = client.get("/search/", {"query": "lighthouse"})
    html = response.content.decode()
    assert "Lighthouse keepers of the north" in html
    assert "1 result for" in html


def test_never_returns_drafts_or_private_pages(client, home):
    add_page(home, "Zephyr public notes")
    add_page(home, "Zephyr draft notes", live=False)
    private = add_page(home, "Zephyr private notes")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    section = add_page(home, "Members area")
    PageViewRestriction.objects.create(page=section, restriction_type="password", password="x")
    add_page(section, "Zephyr inside restricted section")

    html = client.get("/search/", {"query": "zephyr"}).content.decode()
    assert "Zephyr public notes" in html
    assert "Zephyr draft notes" not in html
    assert "Zephyr private notes" not in html
    assert "Zephyr inside restricted section" not in html


def test_no_match_says_so(client, home):
    html = client.get("/search/", {"query": "xylophonequartz"}).content.decode()
    assert "0 results for" in html
    assert "Nothing matched" in html


def test_paginates_ten_a_page(client, home):
    for number in range(13):
        add_page(home, f"Quokka report {number}")
    first = client.get("/search/", {"query": "quokka"}).content.decode()
    assert first.count('class="search-result"') == 10
    assert "Page 1 of 2" in first
    assert 'href="?query=quokka&amp;page=2"' in first
    second = client.get("/search/", {"query": "quokka", "page": 2}).content.decode()
    assert second.count('class="search-result"') == 3
    out_of_range = client.get("/search/", {"query": "quokka", "page": 99}).content.decode()
    assert out_of_range.count('class="search-result"') == 3


def test_query_is_recorded_for_search_promotions(client, home):
    from wagtail.contrib.search_promotions.models import Query

    client.get("/search/", {"query": "Pelican"})
    client.get("/search/", {"query": "pelican"})
    assert Query.get("pelican").hits == 2


def test_results_survive_a_hit_counter_that_cannot_write(client, home):
    from django.db import connection

    add_page(home, "Lighthouse keepers of the north")
    with connection.cursor() as cursor:  # rolled back with the test
        cursor.execute('DROP TABLE "wagtailsearchpromotions_querydailyhits"')
    response = client.get("/search/", {"query": "lighthouse"})
    assert response.status_code == 200
    assert "Lighthouse keepers of the north" in response.content.decode()


def test_overlong_query_is_truncated_not_rejected(client):
    response = client.get("/search/", {"query": "a" * 5000})
    assert response.status_code == 200
    assert "a" * 201 not in response.content.decode()
