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


# Capabilities by declaration (core.capabilities) ------------------------------


def test_declared_capabilities_reach_every_app_without_naming_the_type():
    from core.capabilities import Askable, Commentable, Indexable, Taggable, page_models_with

    for capability in (Indexable, Taggable, Commentable, Askable):
        assert EventPage in page_models_with(capability)
    tabs = {tab.heading: tab for tab in EventPage.get_edit_handler().children}
    assert "AI-suggested tags" in [panel.heading for panel in tabs["Promote"].children]


def test_readers_comment_on_and_like_the_new_type(client):
    from community.likes import target_key
    from community.models import Comment, Like

    event = make_event()
    reader = UserFactory(username="event-reader", email="event-reader@example.com")
    client.force_login(reader)
    html = client.get(event.url).content.decode()
    assert 'action="/community/' in html  # the comment form is on the page
    response = client.post(
        reverse("community_post_comment", args=[event.pk]), {"body": "Count me in for the toaster"}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(page=event)
    assert comment.body == "Count me in for the toaster"
    response = client.post(reverse("community_like"), {"target": target_key(event), "liked": "1"})
    assert response.status_code in (200, 302)
    assert Like.objects.filter(page=event, user=reader).exists()


def test_the_new_type_is_indexed_found_by_meaning_and_offers_the_assistant(client, settings):
    from ai import indexing
    from ai.models import Chunk
    from ai.retrieval import retrieve

    event = make_event()
    html = client.get(event.url).content.decode()
    assert 'data-socket-path="/ws/assistant/"' in html
    assert f'data-page-id="{event.pk}"' in html
    indexing.index_page(event.pk)
    chunks = list(Chunk.objects.filter(page=event))
    assert ["What to bring"] in [chunk.heading_path for chunk in chunks]
    # The assistant's page-scoped retrieval cites the event's section.
    passages = retrieve("What should I bring to fix?", event).passages
    assert passages and passages[0].url == event.url and passages[0].anchor == "what-to-bring"
    # Site search offers the declared filter and finds the event by meaning.
    response = client.get("/search/", {"query": "mending broken appliances", "type": "events"})
    html = response.content.decode()
    assert 'value="events"' in html
    assert "Repair cafe evening" in html
