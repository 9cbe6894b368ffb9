"""The OpenAPI schema: served at a stable URL, valid OpenAPI 3, describing
every endpoint; the docs page loads it without inline script; and a fuzzer
finds no response that breaks it (against the WSGI app, on SQLite)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from openapi_spec_validator import validate

from tests.api_fuzz import fuzz
from tests.unit.api.content import build_site

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_3_and_describes_every_endpoint(client):
    response = client.get("/api/v2/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v2/pages/",
        "/api/v2/pages/{id}/",
        "/api/v2/products/",
        "/api/v2/products/{id}/",
        "/api/v2/images/",
        "/api/v2/images/{id}/",
        "/api/v2/documents/",
        "/api/v2/documents/{id}/",
        "/api/v2/assistant/",
    }
    listing = schema["paths"]["/api/v2/pages/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"limit", "offset", "search", "tag"}
    assert set(listing["responses"]) == {"200", "400", "429"}
    product = schema["paths"]["/api/v2/products/{id}/"]["get"]["responses"]["200"]
    availability = product["content"]["application/json"]["schema"]["properties"]["availability"]
    assert availability["enum"] == ["in_stock", "low_stock", "sold_out"]
    # YAML at the same address by default.
    assert client.get("/api/v2/schema/")["Content-Type"].startswith("application/vnd.oai.openapi")


def test_docs_page_loads_the_schema_without_inline_script(client):
    response = client.get("/api/v2/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "<script>" not in html  # the CSP allows scripts from 'self' only
    script = client.get("/api/v2/docs/?script=")
    assert script.status_code == 200
    assert "/api/v2/schema/" in script.content.decode()


def test_fuzzing_the_wsgi_app_breaks_nothing(settings):
    settings.API_RATE_LIMIT = 100_000
    settings.SEARCH_RATE_LIMIT = 100_000
    build_site()
    schema = schemathesis.openapi.from_wsgi("/api/v2/schema/?format=json", get_wsgi_application())
    counts = fuzz(schema, examples=15)
    assert len(counts) == 16  # 8 operations, positive and negative
    assert all(count >= 1 for count in counts.values()), counts
