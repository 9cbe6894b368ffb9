from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from home.models import HomePage, SiteSettings

pytestmark = pytest.mark.django_db


def test_migration_makes_a_home_page_the_site_root():
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.objects.filter(depth=2, content_type__model="page").exists()


def test_home_page_renders_with_landmarks_and_skip_link(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main-content">' in html
    assert '<main id="main-content"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert "<footer" in html


def test_seed_demo_fills_the_home_page_and_is_idempotent(client):
    call_command("seed_demo", stdout=StringIO())
    home = HomePage.objects.get()
    assert [block.block_type for block in home.body] == ["hero", "rich_text"]
    first_revisions = home.revisions.count()

    call_command("seed_demo", stdout=StringIO())
    assert HomePage.objects.get().revisions.count() == first_revisions

    html = client.get("/").content.decode()
    assert "Stories, long reads and well-made things" in html
    # The hero picture offers modern formats with explicit dimensions.
    assert 'type="image/avif"' in html
    assert 'type="image/webp"' in html
    assert SiteSettings.for_site(Site.objects.get()).tagline in html


def test_seed_demo_creates_users_in_matching_groups():
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].is_superuser
    assert list(users["editor"].groups.values_list("name", flat=True)) == ["Editors"]
    assert list(users["author"].groups.values_list("name", flat=True)) == ["Authors"]
    assert list(users["moderator"].groups.values_list("name", flat=True)) == ["Moderators"]
    assert users["reader"].groups.count() == 0
    assert users["admin"].check_password("pressroom")


def test_main_menu_lists_live_public_children_in_menus(client):
    home = HomePage.objects.get()
    shown = home.add_child(instance=Page(title="Shown section", slug="shown", show_in_menus=True))
    home.add_child(instance=Page(title="Hidden section", slug="hidden", show_in_menus=False))
    draft = Page(title="Draft section", slug="draft", show_in_menus=True, live=False)
    home.add_child(instance=draft)
    html = client.get("/").content.decode()
    assert f'href="{shown.url}"' in html
    assert "Shown section" in html
    assert "Hidden section" not in html
    assert "Draft section" not in html
