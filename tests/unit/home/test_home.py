from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page, PageViewRestriction, Site

from home.models import HomePage, SiteSettings
from tests.factories import StandardPageFactory

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


def test_seed_demo_builds_the_whole_demo_site_once(client):
    from django.contrib.auth import get_user_model
    from wagtail.models import WorkflowState

    from blog.models import ArticlePage, PostPage
    from community.posting import needs_premoderation
    from shop.models import ProductCategoryPage, ProductPage

    call_command("seed_demo", "--without-ai", stdout=StringIO())

    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["admin"].is_superuser
    assert users["admin"].check_password("pressroom")
    groups = {
        name: list(user.groups.values_list("name", flat=True)) for name, user in users.items()
    }
    assert groups["editor"] == ["Editors"]
    assert groups["author"] == ["Authors"]
    assert groups["moderator"] == ["Moderators"]
    assert groups["shopmanager"] == ["Shop managers"]
    assert groups["reader"] == []
    # The demo reader is a regular: their next comment is published at once,
    # so commenting in `make run` lights the author's bell straight away.
    assert not needs_premoderation(users["reader"])

    assert PostPage.objects.live().count() == 30
    assert ArticlePage.objects.live().count() == 10
    assert ProductPage.objects.live().count() == 20
    assert ProductCategoryPage.objects.live().count() == 4
    # Every post went through review: submitted by the author, approved by an editor.
    post = PostPage.objects.order_by("?").first()
    state = WorkflowState.objects.get(object_id=str(post.pk))
    assert state.status == WorkflowState.STATUS_APPROVED
    assert state.requested_by == users["author"]
    assert post.live_revision.user == users["author"]
    assert len(post.body.raw_data) >= 5
    assert post.reading_time >= 2
    assert sum(ProductPage.objects.values_list("stock_quantity", flat=True)) > 0
    assert ProductPage.objects.filter(stock_quantity=0).count() == 3
    # Articles credit their authors (and keep their tags), as posts do, and
    # the page says who wrote it.
    for article in ArticlePage.objects.live():
        assert article.authors.count() == 1, article.title
        assert article.tags.exists(), article.title
    article = ArticlePage.objects.live().first()
    author = article.authors.get()
    page_html = client.get(article.url).content.decode()
    assert f'rel="author">{author.name}</a></span>' in page_html

    home = HomePage.objects.get()
    assert [block.block_type for block in home.body] == [
        "hero",
        "latest_pages",
        "latest_pages",
        "featured_items",
    ]
    html = client.get("/").content.decode()
    assert "Stories, long reads and well-made things" in html
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    assert SiteSettings.for_site(Site.objects.get()).tagline in html
    for section in ("Blog", "Articles", "Shop", "About"):
        assert f">{section}</a></li>" in html

    counts = (PostPage.objects.count(), home.revisions.count(), get_user_model().objects.count())
    call_command("seed_demo", "--without-ai", stdout=StringIO())
    assert (
        PostPage.objects.count(),
        HomePage.objects.get().revisions.count(),
        get_user_model().objects.count(),
    ) == counts


def test_main_menu_lists_live_public_children_in_menus(client):
    shown = StandardPageFactory(title="Shown section", show_in_menus=True)
    StandardPageFactory(title="Hidden section", show_in_menus=False)
    StandardPageFactory(title="Draft section", show_in_menus=True, live=False)
    private = StandardPageFactory(title="Private section", show_in_menus=True)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    html = client.get("/").content.decode()
    assert f'<a href="{shown.url}">Shown section</a>' in html
    assert "Hidden section" not in html
    assert "Draft section" not in html
    assert "Private section" not in html

    # The menu is cached, but publishing changes it at once.
    later = StandardPageFactory(title="Later section", show_in_menus=True, live=False)
    assert "Later section" not in client.get("/").content.decode()
    later.save_revision().publish()
    assert "Later section" in client.get("/").content.decode()

    html = client.get(shown.url).content.decode()
    assert f'<a href="{shown.url}" aria-current="page">Shown section</a>' in html
