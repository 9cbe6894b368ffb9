"""The content endpoints: what they show, what they never show, and how
they answer bad requests."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory
from tests.unit.api.content import CANARY, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return build_site()


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def titles(body):
    return [item["title"] for item in body["items"]]


def test_pages_listing_has_public_pages_only(client, site):
    body = get_json(client, "/api/v2/pages/?limit=50")
    assert body["meta"]["total_count"] == len(body["items"])
    assert set(titles(body)) == {
        "Home",
        "Blog",
        "Bread at dawn",
        "Live title",
        "Articles",
        "A long read on rye",
        "Shop",
        "Ovens",
        "Stone oven",
    }


def test_a_post_comes_with_its_body_tags_and_authors(client, site):
    post = get_json(client, f"/api/v2/pages/{site['post'].pk}/")
    assert post["meta"]["type"] == "blog.PostPage"
    assert post["meta"]["html_url"] == f"http://localhost/blog/{site['post'].slug}/"
    assert post["intro"] == "Why bakers rise early."
    assert [block["type"] for block in post["body"]] == ["paragraph"]
    assert "Sourdough needs time" in post["body"][0]["value"]
    assert post["tags"] == [
        {"name": "bread", "slug": "bread", "source": "editor", "ai": None},
        {
            "name": "baking",
            "slug": "baking",
            "source": "ai",
            "ai": {"method": "llm", "status": "suggested", "score": 0.8},
        },
    ]
    assert [author["name"] for author in post["authors"]] == ["Ada Writer"]
    assert post["related"] == []


def test_a_live_page_shows_its_published_content_not_a_newer_draft(client, site):
    page = get_json(client, f"/api/v2/pages/{site['canaries']['draft_revision'].pk}/")
    assert page["title"] == "Live title"
    assert page["intro"] == "Live intro."


@pytest.mark.parametrize(
    "kind",
    ["login", "password", "groups", "draft", "expired", "under_restricted", "product"],
)
def test_private_pages_are_not_found_whoever_asks(client, site, kind):
    page = site["canaries"][kind]
    body = get_json(client, f"/api/v2/pages/{page.pk}/", status=404)
    assert body == {"error": {"code": "not_found", "message": "Not found."}}
    # A signed-in member of the page's group does not get it either: the API
    # answers the same for everyone.
    member = UserFactory(groups=["Members"])
    client.force_login(member)
    assert client.get(f"/api/v2/pages/{page.pk}/").status_code == 404


def canary_urls(site):
    """Every endpoint with the parameters that reach private content."""
    canary_ids = [page.pk for page in site["canaries"].values()]
    urls = [
        "/api/v2/pages/?limit=50&fields=*",
        "/api/v2/pages/?type=blog.PostPage&fields=*&limit=50",
        "/api/v2/pages/?type=blog.ArticlePage&fields=*&limit=50",
        "/api/v2/pages/?type=blog.ArticleIndexPage&fields=*&limit=50",
        "/api/v2/pages/?type=shop.ProductPage&fields=*&limit=50",
        "/api/v2/pages/?search=CANARY&limit=50",
        "/api/v2/pages/?search=post&limit=50",
        "/api/v2/pages/?tag=bread&limit=50",
        "/api/v2/pages/?tag=canary-rejected",
        f"/api/v2/pages/?child_of={site['blog'].pk}&fields=*&limit=50",
        f"/api/v2/pages/?descendant_of={site['blog'].pk - 1}&fields=*&limit=50",
        "/api/v2/pages/?order=-title&limit=50",
        "/api/v2/products/?fields=*&limit=50",
        "/api/v2/products/?search=CANARY",
        "/api/v2/images/?fields=*&limit=50",
        "/api/v2/images/?search=CANARY",
        "/api/v2/documents/?fields=*&limit=50",
        "/api/v2/documents/?search=CANARY",
        f"/api/v2/pages/{site['post'].pk}/?fields=*",
        f"/api/v2/products/{site['product'].pk}/?fields=*",
        f"/api/v2/pages/{site['article'].pk}/?fields=*",
        f"/api/v2/images/{site['private_picture'].pk}/",
        f"/api/v2/documents/{site['private_document'].pk}/",
        f"/api/v2/products/{site['canaries']['product'].pk}/",
    ]
    urls += [f"/api/v2/pages/{pk}/?fields=*" for pk in canary_ids]
    urls += [f"/api/v2/pages/?child_of={pk}" for pk in canary_ids]
    urls += [f"/api/v2/pages/find/?html_path={page.url_path}" for page in site["canaries"].values()]
    return urls


def test_no_endpoint_ever_shows_a_canary(client, site):
    member = UserFactory(groups=["Members"])
    for signed_in in (False, True):
        if signed_in:
            client.force_login(member)
        for url in canary_urls(site):
            response = client.get(url, follow=True)
            assert response.status_code in (200, 400, 404), (url, response.status_code)
            assert CANARY.encode() not in response.content, url
            assert b"canary" not in response.content.lower(), url


def test_tag_filter_covers_the_ai_tags_readers_see(client, site):
    assert titles(get_json(client, "/api/v2/pages/?tag=baking")) == ["Bread at dawn"]
    assert titles(get_json(client, "/api/v2/pages/?tag=bread")) == ["Bread at dawn"]
    assert get_json(client, "/api/v2/pages/?tag=canary-rejected")["items"] == []


def test_search_goes_through_the_site_search(client, site, monkeypatch):
    from api import filters

    asked = []

    def fake_search(query, type_key=""):
        asked.append((query, type_key))
        return filters_results([site["article"], site["post"]])

    def filters_results(pages):
        return [type("Result", (), {"page_id": page.pk})() for page in pages]

    monkeypatch.setattr(filters, "ranked_results", fake_search)
    body = get_json(client, "/api/v2/pages/?search=%20rye%20%20bread&type=blog.ArticlePage")
    assert asked == [("rye bread", "articles")]
    assert titles(body) == ["A long read on rye"]
    body = get_json(client, "/api/v2/pages/?search=rye")
    assert titles(body) == ["A long read on rye", "Bread at dawn"]  # relevance order kept


def test_search_finds_public_pages_by_keyword(client, site):
    assert titles(get_json(client, "/api/v2/pages/?search=bread")) == ["Bread at dawn"]


def test_catalogue_shows_price_currency_and_stock_state(client, site):
    body = get_json(client, "/api/v2/products/")
    assert body["meta"]["total_count"] == 1
    [product] = body["items"]
    assert product["title"] == "Stone oven"
    assert product["price"] == "199.00"
    assert product["currency"] == "EUR"
    assert product["availability"] == "in_stock"
    assert product["category"]["title"] == "Ovens"
    assert product["meta"]["detail_url"].endswith(f"/api/v2/products/{site['product'].pk}/")
    assert "stock" not in product
    detail = get_json(client, f"/api/v2/products/{site['product'].pk}/")
    assert "stock" not in detail and "stock_quantity" not in detail


def test_exact_stock_is_for_shop_staff_only(client, site, settings):
    reader = UserFactory()
    client.force_login(reader)
    assert "stock" not in get_json(client, f"/api/v2/products/{site['product'].pk}/")
    staff = UserFactory()
    group, _ = Group.objects.get_or_create(name="Stock keepers")
    group.permissions.add(Permission.objects.get(codename="add_stockadjustment"))
    staff.groups.add(group)
    client.force_login(staff)
    assert get_json(client, f"/api/v2/products/{site['product'].pk}/")["stock"] == 20
    assert get_json(client, "/api/v2/products/")["items"][0]["stock"] == 20


def test_the_schema_counts_against_the_api_limit(client, settings, one_rate_window):
    settings.API_RATE_LIMIT = 1
    assert client.get("/api/v2/schema/").status_code == 200
    response = client.get("/api/v2/schema/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


@pytest.mark.parametrize("query", ["stock_quantity=20", "order=stock_quantity"])
def test_stock_cannot_be_probed_by_filter_or_order(client, site, query):
    body = get_json(client, f"/api/v2/products/?{query}", status=400)
    assert body["error"]["code"] == "bad_request"


def test_images_and_documents_outside_private_collections_only(client, site):
    images = get_json(client, "/api/v2/images/")
    assert titles(images) == ["Public loaf"]
    assert images["items"][0]["card"]["width"] == 640
    assert get_json(client, "/api/v2/documents/")["items"][0]["title"] == "Public price list"
    get_json(client, f"/api/v2/images/{site['private_picture'].pk}/", status=404)
    get_json(client, f"/api/v2/documents/{site['private_document'].pk}/", status=404)


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v2/pages/?colour=red", 400, "bad_request"),
        ("/api/v2/pages/?limit=500", 400, "bad_request"),
        ("/api/v2/pages/?limit=-1", 400, "bad_request"),
        ("/api/v2/pages/?offset=99999999999999999999999", 400, "bad_request"),
        ("/api/v2/pages/?limit=%C2%B2", 400, "bad_request"),
        ("/api/v2/pages/?type=no.Such", 400, "bad_request"),
        ("/api/v2/pages/?fields=nothing", 400, "bad_request"),
        ("/api/v2/pages/?child_of=abc", 400, "bad_request"),
        ("/api/v2/pages/?search=a%00b", 400, "bad_request"),
        ("/api/v2/products/?site=%C2%BF%00-O", 400, "bad_request"),
        ("/api/v2/images/?title=a%00b", 400, "bad_request"),
        ("/api/v2/pages/?first_published_at=yesterday", 400, "bad_request"),
        ("/api/v2/pages/?id=abc", 400, "bad_request"),
        ("/api/v2/pages/?site=nowhere.example", 400, "bad_request"),
        ("/api/v2/pages/?site=localhost:port", 400, "bad_request"),
        ("/api/v2/pages/999999/", 404, "not_found"),
        ("/api/v2/nothing-here/", 404, "not_found"),
        ("/api/v3/", 404, "not_found"),
        # A newline in the path (found by the fuzzer) is still answered in JSON.
        ("/api/v2/images/%07%0A/", 404, "not_found"),
    ],
)
def test_bad_requests_get_json_errors_with_codes(client, url, status, code):
    body = get_json(client, url, status=status)
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_unsafe_methods_are_refused_as_json(client):
    response = client.post("/api/v2/pages/", {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_rate_limit_per_address(client, site, settings, one_rate_window):
    settings.API_RATE_LIMIT = 2
    assert client.get("/api/v2/pages/").status_code == 200
    assert client.get("/api/v2/images/").status_code == 200
    response = client.get("/api/v2/pages/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited"
    # Another address has its own budget.
    assert client.get("/api/v2/pages/", REMOTE_ADDR="198.51.100.9").status_code == 200


def test_rate_limit_per_user_across_addresses(client, site, settings, one_rate_window):
    settings.API_RATE_LIMIT = 2
    client.force_login(UserFactory())
    assert client.get("/api/v2/pages/", REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.get("/api/v2/pages/", REMOTE_ADDR="198.51.100.2").status_code == 200
    assert client.get("/api/v2/pages/", REMOTE_ADDR="198.51.100.3").status_code == 429


def test_search_also_counts_against_the_search_limit(client, site, settings, one_rate_window):
    settings.SEARCH_RATE_LIMIT = 1
    assert client.get("/api/v2/pages/?search=bread").status_code == 200
    response = client.get("/api/v2/pages/?search=bread")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert client.get("/api/v2/pages/").status_code == 200


def test_no_cors_by_default(client, site):
    response = client.get("/api/v2/pages/", HTTP_ORIGIN="https://app.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_cors_for_configured_origins_only(client, site, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = client.get("/api/v2/pages/", HTTP_ORIGIN="https://app.example")
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Credentials" not in response
    other = client.get("/api/v2/pages/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    # Only the API: the site's pages never answer cross-origin reads.
    page = client.get("/blog/", HTTP_ORIGIN="https://app.example")
    assert "Access-Control-Allow-Origin" not in page
