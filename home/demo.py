"""Demo content for the home app: users, the home page, site settings, and the
locally generated images other apps' demo loaders reuse."""

import hashlib
import io
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection, Site

from home.models import HomePage, SiteSettings, StandardPage

DEMO_PASSWORD = "pressroom"  # noqa: S105 - published demo credential, never production

# username, first name, last name, groups, superuser
DEMO_USERS = [
    ("admin", "Ada", "Admin", [], True),
    ("editor", "Edith", "Editor", ["Editors"], False),
    ("author", "Arthur", "Author", ["Authors"], False),
    ("moderator", "Mona", "Moderator", ["Moderators"], False),
    ("shopmanager", "Sam", "Shopkeeper", ["Shop managers"], False),
    ("reader", "Rita", "Reader", [], False),
]


def seed(stdout):
    """Create demo users and site settings; returns a summary."""
    created_users = seed_users()
    changed = []
    site = Site.objects.get(is_default_site=True)
    # Canonical, Open Graph, sitemap and feed URLs come from the Site: it
    # follows WAGTAILADMIN_BASE_URL, which `make run` sets from HOST and PORT,
    # on every run (`make run PORT=8011` after a run on 8000 moves it).
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    hostname = base.hostname or "localhost"
    port = base.port or (443 if base.scheme == "https" else 80)
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.site_name = site.site_name or "Pressroom"
        site.save()
        changed.append(f"site address {hostname}:{port}")
    site_settings = SiteSettings.for_site(site)
    if not site_settings.tagline:
        site_settings.name = "Pressroom"
        site_settings.tagline = "Stories, long reads and well-made things"
        site_settings.social_links = [
            ("link", {"network": "mastodon", "url": "https://mastodon.social/@wagtail"}),
            ("link", {"network": "github", "url": "https://github.com/wagtail/wagtail"}),
        ]
        site_settings.save()
        changed.append("site settings")
    parts = []
    if created_users:
        parts.append(f"{created_users} users")
    parts.extend(changed)
    return ", ".join(parts)


def seed_users():
    """Create the demo users in their groups; returns how many were new."""
    User = get_user_model()
    created_count = 0
    for username, first, last, group_names, superuser in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            email=f"{username}@example.com",
            first_name=first,
            last_name=last,
            is_superuser=superuser,
            is_staff=superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        for name in group_names:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
        created_count += 1
    return created_count


def finish(stdout):
    """After every app's content exists: the home page body and an About page."""
    home = HomePage.objects.first()
    if home is None or home.body:
        return ""
    editor = get_user_model().objects.get(username="editor")
    sections = {page.specific_class.__name__: page for page in home.get_children().specific()}
    body = [
        (
            "hero",
            {
                "heading": "Stories, long reads and well-made things",
                "text": (
                    "Pressroom publishes short posts, long-form articles and a small shop. "
                    "Ask the site a question, follow a thread, or just read."
                ),
                "image": demo_image("Pressroom hero", "home-hero"),
                "link": {"text": "Read the blog", "page": sections.get("BlogIndexPage")},
            },
        )
    ]
    for class_name, heading in [
        ("BlogIndexPage", "Latest posts"),
        ("ArticleIndexPage", "Long reads"),
    ]:
        if class_name in sections:
            body.append(
                ("latest_pages", {"heading": heading, "section": sections[class_name], "count": 3})
            )
    shop = sections.get("ShopIndexPage")
    if shop is not None:
        picks = [page.specific for page in shop.get_descendants().live().filter(depth=5)[:3]]
        if picks:
            body.append(("featured_items", {"heading": "From the shop", "pages": picks}))
    home.body = body
    publish_through_review(home, editor, editor)
    about = StandardPage(
        title="About",
        slug="about",
        intro="Pressroom is a small independent publication and shop.",
        show_in_menus=True,
        body=[
            ("heading", {"text": "Who we are", "level": "h2", "anchor": ""}),
            (
                "paragraph",
                "<p>We are a handful of writers and editors who like to know how things "
                "work: the water in the tap, the bread on the table, the tram on the corner. "
                "Every piece is read by an editor before it goes live.</p>",
            ),
            ("heading", {"text": "The shop", "level": "h2", "anchor": ""}),
            (
                "paragraph",
                "<p>The shop sells the tools we use ourselves: notebooks, coffee gear, lamps "
                "and bags, chosen to last and to be repaired.</p>",
            ),
        ],
    )
    home.add_child(instance=about)
    publish_through_review(about, editor, editor)
    return "home page, about page"


PALETTES = [
    ((214, 80, 60), (250, 200, 120)),
    ((40, 90, 160), (140, 210, 230)),
    ((30, 120, 90), (200, 230, 160)),
    ((110, 60, 150), (240, 170, 200)),
    ((50, 50, 60), (190, 180, 160)),
    ((180, 120, 30), (250, 240, 200)),
]


def render_demo_picture(seed, size=(1600, 1000)):
    """Draw a deterministic abstract picture for `seed`; returns JPEG bytes."""
    digest = hashlib.sha256(seed.encode()).digest()
    start, end = PALETTES[digest[0] % len(PALETTES)]
    width, height = size
    image = PillowImage.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        colour = tuple(int(start[i] + (end[i] - start[i]) * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    for index in range(6):
        byte = digest[1 + index * 4 : 5 + index * 4]
        cx = byte[0] / 255 * width
        cy = byte[1] / 255 * height
        radius = 80 + byte[2] / 255 * height / 2.5
        shade = 255 if byte[3] % 2 else 0
        alpha_fill = (shade, shade, shade)
        overlay = PillowImage.new("RGB", size, alpha_fill)
        mask = PillowImage.new("L", size, 0)
        ImageDraw.Draw(mask).ellipse(
            [cx - radius, cy - radius, cx + radius, cy + radius], fill=40 + index * 8
        )
        image.paste(overlay, (0, 0), mask)
    # A horizon line gives each picture a focal point to crop around.
    horizon = int(height * (0.45 + 0.2 * math.sin(digest[30])))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, horizon, width, horizon + 6], fill=end)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def demo_image(title, seed, size=(1600, 1000)):
    """The demo image with this title, generated locally on first use."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    data = render_demo_picture(seed, size)
    slug = hashlib.sha256(seed.encode()).hexdigest()[:12]
    image = Image(title=title, collection=Collection.get_first_root_node())
    image.file = ImageFile(io.BytesIO(data), name=f"demo-{slug}.jpg")
    image.save()
    return image


def publish_through_review(page, author, editor, published_at=None, comment="Approved."):
    """Take a page through the editorial workflow as the demo users would:
    the author saves and submits a revision, an editor approves it, and the
    workflow publishes it. Without a workflow the editor publishes directly."""
    if published_at is not None:
        type(page).objects.filter(pk=page.pk).update(first_published_at=published_at)
        page.first_published_at = published_at
    page.save_revision(user=author, log_action=True)
    workflow = page.get_workflow()
    if workflow is None:
        page.get_latest_revision().publish(user=editor)
        return
    state = workflow.start(page, author)
    state.current_task_state.approve(user=editor, comment=comment)
