"""Demo conversation: approved comments and replies on several demo posts and
articles, likes, one comment waiting for moderation and one reported."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page

from community.models import Comment, CommentStatus, Like, Report, ReportReason
from community.posting import store_comment

# page slug: [(author, text, [(reply author, reply text), ...]), ...]
THREADS = {
    "houseplants-for-low-light-flats": [
        (
            "ines",
            "My north-facing kitchen finally has a happy pothos. Turning the pot a quarter "
            "every fortnight made all the difference.",
            [
                (
                    "reader",
                    "Same here: mine leaned towards the window like a sunflower until I "
                    "started turning it.",
                ),
                ("mei", "Does that work for ferns too, or do they sulk when moved?"),
            ],
        ),
        (
            "kofi",
            "Any advice for a bathroom with no window at all? Asking for a damp friend.",
            [("ines", "A small grow light on a timer. Ours runs eight hours a day.")],
        ),
    ],
    "sharpening-kitchen-knives-on-whetstones": [
        (
            "oskar",
            "The marker trick on the bevel is the best tip I have read in years. I finally "
            "see where the stone is actually cutting.",
            [("kofi", "Try it on scissors next. Same idea, shorter strokes.")],
        ),
        (
            "mei",
            "A 1000 grit stone was enough for me for a whole year. The 6000 is nice, not needed.",
            [("reader", "Good to hear. I nearly bought the whole set of three.")],
        ),
    ],
    "restoring-a-mid-century-teak-chair": [
        (
            "reader",
            "I have my grandmother's chair in the loft. This is the push I needed. "
            "More pictures of the joints, please!",
            [
                (
                    "oskar",
                    "Check the dowels first: on mine two were glued with something modern "
                    "and had to be drilled out.",
                )
            ],
        ),
    ],
    "dialling-in-espresso-grind-size": [
        (
            "kofi",
            "Weighing the shot changed everything. I used to adjust three things at once and "
            "learn nothing.",
            [("mei", "One variable at a time, like debugging.")],
        ),
    ],
    "inside-a-recycling-sorting-plant": [
        (
            "mei",
            "I had no idea the optical sorters fire puffs of air. The numbers on contamination "
            "are sobering.",
            [
                (
                    "ines",
                    "Our library had a visit from the plant's education team. Worth it "
                    "if your city offers one.",
                ),
            ],
        ),
        (
            "oskar",
            "A follow-up on what happens to the bales after they leave would be great.",
            [],
        ),
    ],
    "the-return-of-urban-orchards": [
        (
            "ines",
            "Our street planted three pear trees in 2019. This autumn we made 40 jars of "
            "chutney. Details at https://example.com/orchard-chutney if anyone wants the recipe.",
            [("kofi", "Forty jars! Save one for the repair café.")],
        ),
    ],
}

PAGE_LIKES = {
    "houseplants-for-low-light-flats": ["reader", "ines", "kofi", "mei", "oskar"],
    "sharpening-kitchen-knives-on-whetstones": ["oskar", "kofi", "mei"],
    "restoring-a-mid-century-teak-chair": ["reader", "oskar"],
    "dialling-in-espresso-grind-size": ["kofi", "ines", "mei", "reader"],
    "inside-a-recycling-sorting-plant": ["mei", "ines"],
    "the-return-of-urban-orchards": ["ines", "kofi", "oskar", "reader", "mei"],
}

# Waiting for a moderator: a newcomer's first comment.
PENDING = (
    "newcomer",
    "houseplants-for-low-light-flats",
    "Just moved into a flat with one small window. Which of these would you start with?",
)
# Public, reported by another reader as off topic.
REPORTED = (
    "kofi",
    "dialling-in-espresso-grind-size",
    "Off topic, but does anyone know when tram line 4 runs again on Sundays?",
    "mei",
)


def seed(stdout):
    """Create the demo conversation once (offline, idempotent)."""
    User = get_user_model()
    users = {user.username: user for user in User.objects.filter(is_active=True)}
    if Comment.objects.filter(author__username__in=["ines", "kofi", "mei", "oskar"]).exists():
        return ""
    pages = {
        page.slug: page
        for page in Page.objects.live().filter(slug__in=[*THREADS, *PAGE_LIKES]).specific()
    }
    if not pages or not all(name in users for name in ("reader", "ines", "kofi", "mei", "oskar")):
        return ""
    comments = 0
    for slug, threads in THREADS.items():
        page = pages.get(slug)
        if page is None:
            continue
        when = _start_time(page)
        for author, text, replies in threads:
            when += datetime.timedelta(hours=3)
            parent = _approved(page, users[author], text, when)
            comments += 1
            for reply_author, reply_text in replies:
                when += datetime.timedelta(minutes=47)
                reply = _approved(page, users[reply_author], reply_text, when, parent)
                Like.objects.get_or_create(user=users[author], comment=reply)
                comments += 1
            for liker in ("reader", "mei", "oskar")[: 1 + len(replies)]:
                if liker != author:
                    Like.objects.get_or_create(user=users[liker], comment=parent)
    likes = 0
    for slug, likers in PAGE_LIKES.items():
        if slug in pages:
            for name in likers:
                likes += Like.objects.get_or_create(user=users[name], page=pages[slug])[1]
    author, slug, text = PENDING
    if slug in pages and author in users:
        store_comment(
            pages[slug],
            users[author],
            text,
            status=CommentStatus.PENDING,
            at=timezone.now() - datetime.timedelta(hours=2),
        )
    author, slug, text, reporter = REPORTED
    if slug in pages:
        reported = _approved(
            pages[slug], users[author], text, timezone.now() - datetime.timedelta(days=1)
        )
        Report.objects.create(
            comment=reported,
            reporter=users[reporter],
            reason=ReportReason.OFF_TOPIC,
            details="Nothing to do with coffee.",
        )
    return f"{comments} comments, {likes} page likes, 1 pending, 1 reported"


def _start_time(page):
    published = page.first_published_at or timezone.now()
    return min(published, timezone.now() - datetime.timedelta(days=2))


def _approved(page, author, text, when, parent=None):
    return store_comment(page, author, text, parent, at=when)
