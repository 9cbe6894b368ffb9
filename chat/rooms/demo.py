"""The demo chat rooms, with a few messages from the demo readers."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from chat.rooms.models import Room, RoomMessage
from shop.models import ProductPage

DEMO_PRODUCT_SLUG = "pressroom-reporters-notebook"

# slug, name, description, [(username, text), ...]
DEMO_ROOMS = [
    (
        "community",
        "Community",
        "The readers' lounge: say hello, share what you are reading, suggest a story.",
        [
            ("reader", "Morning all! Has anyone read the piece on the fish market night shift?"),
            ("ines", "Yes, on the train in. I had no idea the auctions start that early."),
            ("kofi", "The cold hands part was so vivid. I could feel the ice."),
            ("author", "Thanks for reading! A follow-up on the metro night crew is out now."),
            ("mei", "Just finished it. More night-shift stories, please."),
        ],
    ),
    (
        "shop-help",
        "Shop help",
        "Questions about orders, delivery and returns. Other shoppers and our team answer.",
        [
            ("oskar", "How long does standard delivery usually take?"),
            ("shopmanager", "Three to five working days; express arrives the next working day."),
            ("ines", "Mine came in three, well packed too."),
        ],
    ),
]

PRODUCT_ROOM_MESSAGES = [
    ("reader", "Does the paper take fountain pen ink without bleeding through?"),
    ("kofi", "It does with my fine nib; a broad, wet nib shows a little."),
    ("mei", "The top binding is great for writing standing up."),
]


def finish(stdout):
    """Create each missing demo room with a few messages (after the demo
    readers exist); returns a summary."""
    users = {user.username: user for user in get_user_model().objects.all()}
    created = []
    for slug, name, description, messages in DEMO_ROOMS:
        if _create_room(slug, name, description, None, messages, users):
            created.append(name)
    product = (
        ProductPage.objects.live().filter(slug=DEMO_PRODUCT_SLUG).first()
        or ProductPage.objects.live().order_by("pk").first()
    )
    if product is not None:
        description = f"Ask owners of the {product.title} and share tips."
        if _create_room(
            f"product-{product.slug}"[:80],
            product.title[:80],
            description,
            product,
            PRODUCT_ROOM_MESSAGES,
            users,
        ):
            created.append(product.title)
    return f"chat rooms ({', '.join(created)})" if created else ""


def _create_room(slug, name, description, product, messages, users):
    if Room.objects.filter(slug=slug).exists():
        return False
    room = Room.objects.create(
        slug=slug,
        name=name,
        description=description,
        product=product,
        created_by=users.get("editor"),
    )
    start = timezone.now() - timedelta(minutes=10 * len(messages))
    RoomMessage.objects.bulk_create(
        RoomMessage(
            room=room,
            author=users.get(username),
            text=text,
            created_at=start + timedelta(minutes=10 * index),
        )
        for index, (username, text) in enumerate(messages)
        if username in users
    )
    return True
