"""The home page, every stylesheet and the admin login in a real browser
against Daphne."""

import re
import uuid

from chat.rooms.models import Room
from tests.e2e.conftest import collect_page_errors
from tests.servers import ROOT

CSS_DIR = ROOT / "static/css"

# The selectors of every style rule the browser parsed, by stylesheet URL,
# including rules nested in @media blocks.
PARSED_SELECTORS = """() => {
  const sheets = {};
  const walk = (rules, selectors) => {
    for (const rule of rules) {
      if (rule.selectorText) selectors.push(rule.selectorText);
      if (rule.cssRules) walk(rule.cssRules, selectors);
    }
  };
  for (const sheet of document.styleSheets) {
    if (!sheet.href) continue;
    const selectors = [];
    walk(sheet.cssRules, selectors);
    sheets[new URL(sheet.href).pathname] = selectors;
  }
  return sheets;
}"""
# Hashed names from WhiteNoise's manifest storage: /static/css/base.1a2b3c4d5e6f.css
MANIFEST_CSS_URL = re.compile(r"/static/css/(?P<name>[\w-]+)\.[0-9a-f]{12}\.css")


def canonical(selector):
    """A selector without whitespace or redundant `*` (browsers write `*::before`
    as `::before`)."""
    return re.sub(r"\*(?=[:.#\[])", "", "".join(selector.split()))


def written_selectors(path):
    """The selectors of a stylesheet without whitespace: the text before each
    `{` that is not an at-rule or a keyframe step."""
    css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    heads = (head.split(";")[-1].split("}")[-1].strip() for head in css.split("{")[:-1])
    return {
        canonical(head)
        for head in heads
        if head and not head.startswith("@") and not re.fullmatch(r"(from|to|[\d.]+%)", head)
    }


def parsed_sheets(page):
    """{sheet name: set of canonical selectors} for the page's stylesheets,
    each of which must have come through the manifest storage."""
    sheets = {}
    for url, selectors in page.evaluate(PARSED_SELECTORS).items():
        match = MANIFEST_CSS_URL.fullmatch(url)
        assert match, f"{url} is not a hashed /static/css/ URL"
        sheets[match["name"]] = {canonical(selector) for selector in selectors}
    return sheets


def test_home_page_renders(live_db, demo_site, new_context, screenshot):
    page = new_context().new_page()
    errors = collect_page_errors(page)
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1").first.inner_text() == "Stories, long reads and well-made things"
    # The stylesheets came through WhiteNoise's manifest storage (hashed names).
    first = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert MANIFEST_CSS_URL.fullmatch(first)["name"] == "base"
    assert page.evaluate("getComputedStyle(document.body).display") == "flex"
    hero = page.locator(".hero img")
    assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "home")
    assert errors == []


def test_every_stylesheet_is_parsed_whole(live_db, demo_site, new_context, screenshot):
    """A stray brace silently swallows every rule after it: on the pages that
    load each sheet, the browser must have parsed every selector it declares."""
    room = Room.objects.create(name="Smoke test", slug=f"smoke-{uuid.uuid4().hex[:8]}")
    # The home page loads the global sheets; the others are page-specific.
    pages = {"home": "/", "login": "/accounts/login/", "room": room.get_absolute_url()}
    context = new_context()
    loaded = {}
    for name, url in pages.items():
        page = context.new_page()
        errors = collect_page_errors(page)
        assert page.goto(url).status == 200
        for sheet, parsed in parsed_sheets(page).items():
            missing = sorted(written_selectors(CSS_DIR / f"{sheet}.css") - parsed)
            assert missing == [], (url, sheet, missing[:10])
            loaded.setdefault(sheet, name)
        if name != "home":
            screenshot(page, f"stylesheets-{name}")
        assert errors == []
    # Every sheet in static/css was loaded and checked on one of these pages.
    assert sorted(loaded) == sorted(path.stem for path in CSS_DIR.glob("*.css"))
    assert {loaded["accounts"], loaded["rooms"]} == {"login", "room"}


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
