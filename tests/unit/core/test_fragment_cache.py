"""Shared fragments (core/templatetags/fragment_tags.py), the remembered Site
(core/sites.py), page locations (home.models.page_at) and view restrictions
(core.privacy.may_have_view_restrictions) are read once per content version:
every change a reader could see shows on the very next rendered view, and a
preview never reaches readers."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction, Site

from blog.models import PostPage
from tests.community import live_post
from tests.factories import (
    AuthorFactory,
    BlogIndexPageFactory,
    PostPageFactory,
    UserFactory,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_view(settings):
    """Rendered views, as signed-in readers get them (no whole-page cache)."""
    settings.PAGE_CACHE_SECONDS = 0


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def signed_in_client():
    client = Client()
    client.force_login(UserFactory())
    return client


def test_a_published_edit_shows_on_the_next_view():
    post = publish(live_post(title="Loaves", body=[paragraph("Old crumb.")]))
    client = signed_in_client()
    assert "Old crumb." in html_of(client, post.url)
    html_of(client, post.url)  # served from the fragment now
    post.body = [paragraph("New crust.")]
    publish(post)
    html = html_of(client, post.url)
    assert "New crust." in html and "Old crumb." not in html


def test_a_preview_is_rendered_afresh_and_never_kept_for_readers():
    post = publish(live_post(title="Previewed", body=[paragraph("Live words.")]))
    client = Client()
    assert "Live words." in html_of(client, post.url)

    draft = PostPage.objects.get(pk=post.pk)
    draft.body = [paragraph("Draft words.")]
    preview = draft.make_preview_request()
    preview.render()
    assert "Draft words." in preview.content.decode()

    html = html_of(client, post.url)
    assert "Live words." in html and "Draft words." not in html


def test_a_renamed_author_shows_in_the_byline():
    author = AuthorFactory(name="Ada Baker")
    post = live_post(title="Bylined")
    post.authors.set([author])
    post = publish(post)
    client = Client()
    assert "Ada Baker" in html_of(client, post.url)
    author.name = "Ada Miller"
    author.save()
    html = html_of(client, post.url)
    assert "Ada Miller" in html and "Ada Baker" not in html


def test_a_new_view_restriction_applies_to_the_page_and_its_children_at_once():
    blog = BlogIndexPageFactory(slug="guarded")
    post = publish(PostPageFactory(parent=blog, body=[paragraph("Members only soon.")]))
    client = Client()
    assert "Members only soon." in html_of(client, post.url)
    PageViewRestriction.objects.create(page=blog, restriction_type="password", password="sesame")
    response = client.get(post.url)
    assert "Members only soon." not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_a_moved_page_answers_at_its_new_address_only():
    post = publish(live_post(title="Wandering", body=[paragraph("Still here.")]))
    client = Client()
    old_url = post.url
    assert "Still here." in html_of(client, old_url)
    post.slug = "settled"
    post = publish(post)
    assert post.url != old_url
    assert client.get(old_url).status_code == 404
    assert "Still here." in html_of(client, post.url)


def test_a_site_address_change_moves_every_absolute_url():
    post = publish(live_post(title="Addressed"))
    client = Client()
    assert 'rel="canonical" href="http://localhost/' in html_of(client, post.url)
    site = Site.objects.get(is_default_site=True)
    site.port = 8011
    site.save()
    assert 'rel="canonical" href="http://localhost:8011/' in html_of(client, post.url)


def test_listing_cards_follow_the_filters():
    blog = BlogIndexPageFactory(slug="filtered")
    for number in range(3):
        post = PostPageFactory(parent=blog, title=f"Tagged {number}")
        post.tags.set(["crumb"] if number == 0 else ["crust"])
        publish(post)
    client = Client()
    everything = html_of(client, blog.url)
    assert all(f"Tagged {number}" in everything for number in range(3))
    crumb = html_of(client, f"{blog.url}?tag=crumb")
    assert "Tagged 0" in crumb and "Tagged 1" not in crumb and "Tagged 2" not in crumb


def test_a_request_reads_the_content_version_once_and_sees_its_own_bumps():
    from django.core.cache import cache
    from django.http import HttpResponse
    from django.test import RequestFactory

    from core.content_cache import (
        VERSION_KEY,
        ContentVersionPerRequestMiddleware,
        bump_content_version,
        content_version,
    )

    seen = []

    def view(request):
        seen.append(content_version())
        cache.set(VERSION_KEY, 1, None)  # another process publishes meanwhile
        seen.append(content_version())
        bump_content_version()  # this request changes content itself
        seen.append(content_version())
        return HttpResponse()

    ContentVersionPerRequestMiddleware(view)(RequestFactory().get("/"))
    snapshot, unchanged, own_bump = seen
    assert unchanged == snapshot
    assert own_bump not in (snapshot, 1)
    assert content_version() == own_bump == cache.get(VERSION_KEY)  # outside a request: live
