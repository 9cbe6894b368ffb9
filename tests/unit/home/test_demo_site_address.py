"""The demo Site follows the address `make run` serves (WAGTAILADMIN_BASE_URL,
from HOST and PORT) on every run, so canonical, og:url, sitemap and feed URLs
carry the port served (issue 16)."""

from io import StringIO

import pytest
from wagtail.models import Site

from home import demo

pytestmark = pytest.mark.django_db


def test_each_run_moves_the_demo_site_to_the_address_served(settings, client):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8011"
    assert "site address 127.0.0.1:8011" in demo.seed(StringIO())
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8011)
    assert site.root_page.full_url == "http://127.0.0.1:8011/"
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8011").content.decode()
    assert "<loc>http://127.0.0.1:8011/</loc>" in sitemap

    # A later `make run PORT=8012` on the same database.
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8012"
    assert "site address localhost:8012" in demo.seed(StringIO())
    assert Site.objects.get(is_default_site=True).root_page.full_url == "http://localhost:8012/"
    assert "site address" not in demo.seed(StringIO())  # unchanged: nothing to do
