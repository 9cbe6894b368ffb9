"""Each search embeds its query, so searches are limited per address
(SEARCH_RATE_LIMIT a minute, in the shared cache)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_a_minute(settings):
    settings.SEARCH_RATE_LIMIT = 2


def search(client, query="lighthouse", address="198.51.100.9"):
    return client.get("/search/", {"query": query}, REMOTE_ADDR=address)


def test_searches_past_the_limit_get_the_sites_429_page(client):
    assert search(client).status_code == 200
    assert search(client).status_code == 200
    response = search(client)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 61
    html = response.content.decode()
    assert f"Try again in {retry_after} second" in html
    assert 'class="search-form"' in html and 'value="lighthouse"' in html  # the form stays
    assert "<nav" in html  # the site's own layout, not a bare error
    assert 'class="search-summary"' not in html  # no search was run


def test_each_address_has_its_own_allowance(client):
    for _ in range(3):
        search(client, address="198.51.100.9")
    assert search(client, address="198.51.100.10").status_code == 200


def test_ipv6_neighbours_share_one_allowance(client):
    search(client, address="2001:db8:1:2::1")
    search(client, address="2001:db8:1:2::2")
    assert search(client, address="2001:db8:1:2::3").status_code == 429


def test_the_empty_search_page_is_not_counted(client):
    for _ in range(5):
        assert client.get("/search/", REMOTE_ADDR="198.51.100.9").status_code == 200
    assert search(client).status_code == 200


def test_forwarded_for_headers_do_not_reset_the_count(client):
    statuses = [
        client.get(
            "/search/",
            {"query": "lighthouse"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
