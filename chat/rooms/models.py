"""Live chat rooms and their messages.

The tables keep their original names (chat_*): the models moved here from
the `chat` app without copying data (see migrations/0001_initial.py).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.admin.panels import FieldPanel

from community.models import decision_maker

# How a chat message's time reads, rendered on the server for the page and
# the frames alike so the script never rewrites it in another format.
MESSAGE_TIME_FORMAT = "j M, H:i"


class Room(models.Model):
    """A live chat room created by staff: a topic, or one product's room."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Part of the address: /rooms/<slug>/."
    )
    description = models.TextField(blank=True, max_length=500)
    is_active = models.BooleanField(
        "open",
        default=True,
        help_text="Closed rooms are hidden and refuse connections; their messages are kept.",
    )
    product = models.ForeignKey(
        "shop.ProductPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_rooms",
        help_text="The product page links to this room.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("product"),
        FieldPanel("is_active"),
    ]

    class Meta:
        db_table = "chat_room"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("room_detail", args=[self.slug])


class RoomMessageQuerySet(models.QuerySet):
    def visible(self):
        """Messages that no moderator deleted."""
        return self.filter(deleted_at__isnull=True)


class RoomMessage(models.Model):
    """One plain-text message in a room; moderators soft-delete it."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    # Kept when the account is deleted: shown as by "deleted user".
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="room_messages",
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = decision_maker()  # the moderator

    objects = RoomMessageQuerySet.as_manager()

    class Meta:
        db_table = "chat_roommessage"
        ordering = ["created_at", "pk"]
        indexes = [
            # "The last 50 visible messages of a room", read on every join.
            models.Index(
                fields=["room", "created_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="room_message_recent",
            ),
        ]

    def __str__(self):
        excerpt = " ".join(self.text.split())
        return excerpt[:60] + ("…" if len(excerpt) > 60 else "")

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def time_label(self):
        """When it was sent, in the site's time zone and the one format the
        page and the socket frames share ("28 Nov, 11:29")."""
        return date_format(timezone.localtime(self.created_at), MESSAGE_TIME_FORMAT)
