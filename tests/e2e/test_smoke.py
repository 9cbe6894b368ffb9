"""The home page and the admin login in a real browser against Daphne."""

from tests.e2e.conftest import collect_page_errors


def test_home_page_renders(live_db, demo_site, new_context, screenshot):
    page = new_context().new_page()
    errors = collect_page_errors(page)
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1").first.inner_text() == "Stories, long reads and well-made things"
    # The stylesheet came through WhiteNoise's manifest storage (hashed name).
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert stylesheet.startswith("/static/css/main.") and stylesheet.endswith(".css")
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    hero = page.locator(".hero img")
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "home")
    assert errors == []


def test_admin_login_works(live_db, demo_site, new_context, screenshot):
    page = new_context().new_page()
    external = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else None
        ),
    )
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pressroom")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.locator("h1").first.inner_text() == "Pressroom"
    assert page.title().startswith("Dashboard")
    assert page.get_by_text("Ada Admin").is_visible()
    # Avatars are local: no Gravatar request leaves the machine.
    avatar = page.locator(".avatar img").first.get_attribute("src")
    assert avatar.startswith("/static/")
    screenshot(page, "admin-dashboard")
    assert external == []
