"""The home page and the admin login in a real browser against Daphne."""

import re

from tests.e2e.conftest import collect_page_errors
from tests.servers import ROOT

# Every style rule's selector the browser parsed from the first stylesheet,
# including those nested in @media blocks.
PARSED_SELECTORS = """() => {
  const selectors = [];
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.selectorText) selectors.push(rule.selectorText);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  walk(document.styleSheets[0].cssRules);
  return selectors;
}"""


def canonical(selector):
    """A selector without whitespace or redundant `*` (browsers write `*::before`
    as `::before`)."""
    return re.sub(r"\*(?=[:.#\[])", "", "".join(selector.split()))


def written_selectors():
    """The selectors of main.css without whitespace: the text before each `{`
    that is not an at-rule or a keyframe step."""
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "static/css/main.css").read_text(), flags=re.S)
    heads = (head.split(";")[-1].split("}")[-1].strip() for head in css.split("{")[:-1])
    return {
        canonical(head)
        for head in heads
        if head and not head.startswith("@") and not re.fullmatch(r"(from|to|[\d.]+%)", head)
    }


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
    # A stray brace silently swallows every rule after it: the browser must
    # have parsed every selector the file declares.
    parsed = {canonical(selector) for selector in page.evaluate(PARSED_SELECTORS)}
    missing = sorted(s for s in written_selectors() if s not in parsed)
    assert missing == [], missing[:10]
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
