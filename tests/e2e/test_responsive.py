"""Every reader screen on phones (320 and 390 px), a tablet (768 px) and a
desktop (1280 px), in headless Chromium: no key page is wider than the
window, every open overlay (menu, bell, gallery) lies inside the viewport,
the mobile header stays compact, and axe-core finds no accessibility
violation of any impact. Screenshots at 320, 390, 768 and 1280 px go to
tests/artifacts/screenshots/responsive-*-<width>.png."""

import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from blog.models import ArticlePage, PostPage
from chat.rooms.models import Room, RoomMessage
from community.models import Comment
from notifications.receivers import comment_summary
from notifications.services import notify
from shop.models import ProductPage
from tests.e2e.conftest import collect_page_errors
from tests.servers import ARTIFACTS

AXE_SOURCE = (Path(__file__).parent / "vendor/axe-core/axe.min.js").read_text()
SMALL_PHONE = {"width": 320, "height": 640}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 900}
# The header's first row (brand, cart, bell, "Menu") on a phone; it took
# 229-265 px of an 844 px screen before.
MOBILE_HEADER_MAX_PX = 80

# Run axe on the whole document; each violation as "rule (impact): targets".
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')}`);
}"""
PAGE_WIDTH = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
BOX = """(element) => {
  const box = element.getBoundingClientRect();
  return {left: box.left, top: box.top, right: box.right, bottom: box.bottom,
          width: window.innerWidth, height: window.innerHeight};
}"""


MEASUREMENTS = ARTIFACTS / "responsive-measurements.txt"


def record(line):
    """Append a measured figure to tests/artifacts/responsive-measurements.txt."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with MEASUREMENTS.open("a") as measurements:
        measurements.write(line + "\n")


# Items of meta lines ("date · 4 min read · By Ada") that start a line, and
# how far each sits from its list's left edge: 0 means its separator lies in
# the clipped strip, so no line begins with a dangling "·".
LINE_STARTS = """() => [...document.querySelectorAll('.meta-list')].flatMap((list) => {
  const items = [...list.children].filter((item) => item.getClientRects().length);
  const left = list.getBoundingClientRect().left;
  return items
    .filter((item, i) => i === 0 || item.getBoundingClientRect().top
      > items[i - 1].getBoundingClientRect().top + 2)
    .map((item) => ({
      text: item.textContent.trim().slice(0, 30),
      offset: Math.round(item.getBoundingClientRect().left - left),
      clipped: getComputedStyle(list).clipPath !== 'none',
    }));
})"""


def axe_violations(page):
    """axe-core's violations on the page as it is now (any impact).

    Injected through page.evaluate, i.e. the DevTools protocol, which the
    site's Content-Security-Policy does not govern: the CSP stays as served.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(RUN_AXE)


def assert_fits(page):
    """The document is no wider than the window; returns its width."""
    scroll_width, inner_width = page.evaluate(PAGE_WIDTH)
    assert scroll_width <= inner_width, f"{page.url}: {scroll_width} px wide in {inner_width} px"
    record(f"width {page.url}: {scroll_width} px in {inner_width} px")
    return scroll_width


def assert_inside_viewport(locator):
    """The element's box lies wholly inside the viewport; returns the box."""
    box = locator.evaluate(BOX)
    assert box["left"] >= 0 and box["top"] >= 0, box
    assert box["right"] <= box["width"] and box["bottom"] <= box["height"], box
    return box


def shoot(page, screenshot, name):
    """Screenshots of the page at 320, 390, 768 and 1280 px (the viewport is left at 1280)."""
    for label, size in (("320", SMALL_PHONE), ("390", PHONE), ("768", TABLET), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)  # one layout pass after the resize
        screenshot(page, f"responsive-{name}-{label}")


def signed_in_context(new_context, daphne, user, **options):
    """A browser context carrying a session of `user`."""
    client = Client()
    client.force_login(user)
    context = new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": daphne.url}]
    )
    return context


@pytest.fixture
def reader(live_db, demo_site):
    """A new reader with a few comment notifications in the bell."""
    suffix = uuid.uuid4().hex[:8]
    user = get_user_model().objects.create_user(
        f"reader-{suffix}", f"reader-{suffix}@example.com", "pw", first_name="Rita"
    )
    for comment in Comment.objects.published().select_related("author", "page")[:4]:
        notify(
            [user],
            "comment_posted",
            actor=comment.author,
            target=comment,
            data=comment_summary(comment),
        )
    return user


def key_pages():
    """(name, url) of the public pages every reader sees."""
    post = PostPage.objects.live().order_by("path").first()
    article = ArticlePage.objects.live().order_by("path").first()
    product = ProductPage.objects.live().filter(stock_quantity__gte=5).order_by("path").first()
    return [
        ("home", "/"),
        ("blog", "/blog/"),
        ("post", post.url),
        ("article", article.url),
        ("shop", product.get_parent().get_parent().url),
        ("category", product.get_parent().url),
        ("product", product.url),
        ("search", "/search/?query=coffee"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
    ]


@pytest.mark.parametrize(
    "viewport", [SMALL_PHONE, PHONE, TABLET, DESKTOP], ids=["320", "390", "768", "1280"]
)
def test_public_pages_fit_and_have_no_axe_violations(
    live_db, demo_site, new_context, screenshot, viewport
):
    page = new_context(viewport=viewport).new_page()
    errors = collect_page_errors(page)
    problems = {}
    for name, url in key_pages():
        # The first visit renders the pictures' renditions: allow for it.
        assert page.goto(url, timeout=60_000).status == 200, url
        assert_fits(page)
        violations = axe_violations(page)
        record(f"axe {name} at {viewport['width']} px: {len(violations)} violations")
        if violations:
            problems[name] = violations
        screenshot(page, f"responsive-{name}-{viewport['width']}")
        if viewport is PHONE:
            for start in page.evaluate(LINE_STARTS):
                assert start["offset"] == 0 and start["clipped"], (name, start)
    assert problems == {}
    assert errors == []


def test_phone_header_is_compact_and_its_menu_opens_inside_the_viewport(
    live_db, demo_site, new_context, screenshot
):
    page = new_context(viewport=SMALL_PHONE).new_page()
    page.goto("/")
    for size in (SMALL_PHONE, PHONE):
        page.set_viewport_size(size)
        header = page.locator("[data-site-header]")
        height = header.evaluate("header => header.getBoundingClientRect().height")
        assert height <= MOBILE_HEADER_MAX_PX, f"header is {height} px tall"
        record(f"header height at {size['width']} px: {height} px")
        # The site name ends before the cart, bell and Menu begin.
        name, tools = (
            page.locator(selector).evaluate(BOX)
            for selector in (".site-brand__name", ".site-header__tools")
        )
        assert name["right"] <= tools["left"], (size, name, tools)
    menu = page.locator("#site-menu")
    assert menu.is_hidden()
    toggle = page.locator("[data-menu-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.is_visible()
    assert page.locator("#site-search-input").is_visible()
    assert_inside_viewport(menu)
    assert_fits(page)
    assert axe_violations(page) == []
    screenshot(page, "responsive-menu-open-390")
    page.keyboard.press("Escape")
    assert menu.is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")


def test_without_javascript_the_phone_menu_stays_open(live_db, demo_site, new_context):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto("/")
    assert page.locator("[data-menu-toggle]").is_hidden()
    assert page.locator("#site-search-input").is_visible()
    assert_fits(page)


@pytest.mark.parametrize(
    "viewport", [SMALL_PHONE, PHONE, TABLET, DESKTOP], ids=["320", "390", "768", "1280"]
)
def test_open_bell_lies_inside_the_viewport(daphne, reader, new_context, screenshot, viewport):
    page = signed_in_context(new_context, daphne, reader, viewport=viewport).new_page()
    errors = collect_page_errors(page)
    page.goto("/notifications/")
    page.wait_for_function(
        "document.querySelector('[data-bell-label]').getAttribute('aria-label')"
        " === 'Notifications, 4 unread'"
    )
    page.click("[data-bell-label]")
    panel = page.locator(".bell__panel")
    panel.locator(".bell__item").nth(3).wait_for()
    box = assert_inside_viewport(panel)
    if viewport["width"] < TABLET["width"]:
        # The panel spans the phone's width less the page margins.
        assert box["right"] - box["left"] >= viewport["width"] - 70, box
    assert_fits(page)
    assert axe_violations(page) == []
    screenshot(page, f"responsive-bell-open-{viewport['width']}")
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    # The settings link reads like the rest of the toolbar, apart from the button.
    link = page.locator(".notifications__tools a")
    assert link.evaluate("a => getComputedStyle(a).fontFamily") == page.locator(
        ".notifications__tools button"
    ).evaluate("b => getComputedStyle(b).fontFamily")
    # Apart from the button: beside it with a gap, or on a line of its own.
    link_box, form_box = (
        page.locator(selector).evaluate(BOX)
        for selector in (".notifications__tools a", ".notifications__tools form")
    )
    beside = link_box["left"] - form_box["right"] >= 8
    below = link_box["top"] >= form_box["bottom"]
    assert beside or below, (link_box, form_box)
    screenshot(page, f"responsive-notifications-{viewport['width']}")
    assert errors == []


def add_to_cart(page, product, quantity):
    page.goto(product.url)
    page.fill("#buy-quantity", str(quantity))
    page.click("button:has-text('Add to cart')")
    page.wait_for_selector("#buy-status .notice--success")


def test_cart_and_checkout_fit_a_phone(live_db, demo_site, new_context, screenshot):
    first, second = ProductPage.objects.live().filter(stock_quantity__gte=5).order_by("path")[:2]
    page = new_context(viewport=PHONE).new_page()
    errors = collect_page_errors(page)
    add_to_cart(page, first, 2)
    add_to_cart(page, second, 1)
    page.goto("/cart/")
    assert page.locator(".cart-line").count() == 2
    width = assert_fits(page)
    assert width <= 390
    for control in ("Update", "Remove"):
        assert_inside_viewport(page.locator(f"button:has-text('{control}')").first)
    assert axe_violations(page) == []
    # Above the stock: the line says so in place, still within the phone.
    quantity = page.locator(f"#quantity-{second.pk}")
    quantity.fill(str(second.stock_quantity + 5))
    quantity.dispatch_event("change")
    page.locator(f"#quantity-{second.pk}-notice").wait_for()
    assert_fits(page)
    assert axe_violations(page) == []
    shoot(page, screenshot, "cart")
    page.set_viewport_size(PHONE)
    page.goto("/checkout/")
    assert_fits(page)
    assert axe_violations(page) == []
    shoot(page, screenshot, "checkout")
    assert errors == []


def test_product_gallery_opens_larger_pictures_by_keyboard(
    live_db, demo_site, new_context, screenshot
):
    product = ProductPage.objects.live().order_by("path").first()
    page = new_context(viewport=PHONE).new_page()
    errors = collect_page_errors(page)
    page.goto(product.url)
    links = page.locator("[data-gallery-item]")
    assert links.count() == 2
    links.nth(1).focus()
    page.keyboard.press("Enter")
    dialog = page.locator("[data-gallery-dialog]")
    dialog.wait_for()
    image = dialog.locator("[data-gallery-image]")
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-gallery-image]');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert image.get_attribute("alt") == f"{product.title}, detail view"
    assert image.evaluate("i => i.naturalWidth") > 480  # larger than the thumbnail
    assert "(2 of 2)" in dialog.locator("[data-gallery-counter]").inner_text()
    assert_inside_viewport(dialog)
    assert axe_violations(page) == []
    screenshot(page, "responsive-gallery-open-390")
    page.keyboard.press("ArrowRight")
    assert image.get_attribute("alt") == f"{product.title}, front view"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate(
        "document.activeElement === document.querySelectorAll('[data-gallery-item]')[1]"
    )
    shoot(page, screenshot, "product")
    assert errors == []


def swipe(context, page, element, dx):
    """A one-finger horizontal swipe of `dx` px across `element` (real touch
    events through the DevTools protocol: Playwright only taps)."""
    # Where the picture will be once loaded (a half-loaded one is a thin strip,
    # and a touch beside it would reach the dialog instead).
    element.evaluate(
        "img => img.complete && img.naturalWidth ? null"
        " : new Promise((done) => img.addEventListener('load', done, {once: true}))"
    )
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    session = context.new_cdp_session(page)
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, 6):
        point = {"x": x + dx * step / 5, "y": y}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_product_gallery_follows_a_swipe(live_db, demo_site, new_context):
    product = ProductPage.objects.live().order_by("path").first()
    context = new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors = collect_page_errors(page)
    page.goto(product.url)
    page.locator("[data-gallery-item]").first.click()
    dialog = page.locator("[data-gallery-dialog]")
    dialog.wait_for()
    image = dialog.locator("[data-gallery-image]")

    def shows(view):
        """The dialog shows the picture whose alt text ends in `view` (waited for)."""
        expected = f"{product.title}, {view}"
        page.wait_for_function(
            "expected => document.querySelector('[data-gallery-image]').alt === expected",
            arg=expected,
            timeout=5_000,
        )
        return image.get_attribute("alt") == expected

    assert shows("front view")
    swipe(context, page, image, -120)  # to the left: the next picture
    assert shows("detail view")
    assert "(2 of 2)" in dialog.locator("[data-gallery-counter]").inner_text()
    swipe(context, page, image, 120)  # to the right: back again
    assert shows("front view")
    swipe(context, page, image, 20)  # too short to count
    page.wait_for_timeout(200)  # time for a (wrong) change to show
    assert image.get_attribute("alt") == f"{product.title}, front view"
    assert dialog.is_visible()
    assert errors == []


def test_without_javascript_gallery_links_open_the_larger_picture(live_db, demo_site, new_context):
    product = ProductPage.objects.live().order_by("path").first()
    context = new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(product.url)
    href = page.locator("[data-gallery-item]").nth(1).get_attribute("href")
    response = context.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/")


def test_chat_room_assistant_and_account_pages_fit_a_phone(daphne, reader, new_context, screenshot):
    room = Room.objects.create(name="Morning shift", slug=f"morning-{uuid.uuid4().hex[:8]}")
    RoomMessage.objects.create(room=room, author=reader, text="First tram leaves at 5:12.")
    page = signed_in_context(new_context, daphne, reader, viewport=PHONE).new_page()
    errors = collect_page_errors(page)
    page.goto(room.get_absolute_url())
    page.locator(".room-message__text", has_text="First tram").wait_for()
    assert_fits(page)
    assert axe_violations(page) == []
    shoot(page, screenshot, "room")

    page.set_viewport_size(PHONE)
    post = PostPage.objects.live().order_by("path").first()
    page.goto(post.url)
    panel = page.locator("[data-assistant]")
    panel.scroll_into_view_if_needed()
    assert_fits(page)
    assert axe_violations(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, screenshot, "post")

    for name, url in (
        ("profile", "/accounts/profile/"),
        ("notification-settings", "/notifications/preferences/"),
    ):
        for size in (SMALL_PHONE, PHONE, TABLET):
            page.set_viewport_size(size)
            assert page.goto(url).status == 200, url
            assert_fits(page)
            assert axe_violations(page) == [], url
            screenshot(page, f"responsive-{name}-{size['width']}")
    assert errors == []
