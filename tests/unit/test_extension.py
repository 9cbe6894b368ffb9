"""A developer's new page type, added in one app (tests/testapp) exactly as the
README's "Add a page type" section describes, works across the platform."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from home.models import HomePage
from tests.factories import UserFactory
from tests.testapp.models import EventPage

pytestmark = pytest.mark.django_db


def make_event(**kwargs):
    home = HomePage.objects.get()
    event = EventPage(
        title="Repair cafe evening",
        slug="repair-cafe",
        starts_at=timezone.make_aware(datetime.datetime(2026, 12, 3, 18, 30)),
        venue="Kiln Street library",
        body=[
            ("heading", {"text": "What to bring", "level": "h2", "anchor": ""}),
            ("paragraph", "<p>Bring a lamp, a toaster or a torn coat.</p>"),
        ],
        **kwargs,
    )
    home.add_child(instance=event)
    return event


def test_new_page_type_can_be_created_under_home_without_editing_home():
    assert EventPage in HomePage.clean_subpage_models()
    assert EventPage.can_create_at(HomePage.objects.get())


def test_new_page_type_renders_with_the_shared_blocks_and_site_chrome(client):
    event = make_event()
    html = client.get(event.url).content.decode()
    assert '<h1 class="entry__title">Repair cafe evening</h1>' in html
    assert '<h2 id="what-to-bring" class="heading-anchor">What to bring</h2>' in html
    assert "Bring a lamp, a toaster or a torn coat." in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert '<link rel="canonical"' in html


def test_new_page_type_is_searchable(client):
    make_event()
    html = client.get("/search/", {"query": "toaster"}).content.decode()
    assert "Repair cafe evening" in html


def test_editors_create_it_in_the_admin(client):
    editor = UserFactory(username="events-editor", groups=["Editors"])
    client.force_login(editor)
    home = HomePage.objects.get()
    url = reverse("wagtailadmin_pages:add", args=("testapp", "eventpage", home.pk))
    data = nested_form_data(
        {
            "title": "Winter fair",
            "slug": "winter-fair",
            "starts_at": "2026-12-12 10:00",
            "venue": "Market hall",
            "body": streamfield([("paragraph", rich_text("<p>Stalls and soup.</p>"))]),
            "seo_title": "",
            "search_description": "",
            "listing_title": "",
            "listing_summary": "",
            "social_image": "",
            "go_live_at": "",
            "expire_at": "",
            "comments": {
                "TOTAL_FORMS": "0",
                "INITIAL_FORMS": "0",
                "MIN_NUM_FORMS": "0",
                "MAX_NUM_FORMS": "1000",
            },
        }
    )
    data["action-publish"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302
    event = EventPage.objects.get(slug="winter-fair")
    assert event.live
    assert client.get(event.url).status_code == 200
