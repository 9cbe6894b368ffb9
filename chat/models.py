"""Assistant conversations (per user, or per session for anonymous readers),
the site assistant page, and live chat rooms with their messages."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel

from community.models import decision_maker
from home.models import BasePage


class ConversationQuerySet(models.QuerySet):
    def owned_by(self, user, session_key):
        """Conversations of a signed-in user, or of an anonymous session."""
        if user is not None and user.is_authenticated:
            return self.filter(user=user)
        if session_key:
            return self.filter(user__isnull=True, session_key=session_key)
        return self.none()

    def expired(self):
        cutoff = timezone.now() - timedelta(days=settings.CHAT_RETENTION_DAYS)
        return self.filter(updated_at__lt=cutoff)


class Conversation(models.Model):
    """Questions and answers of one reader, kept for CHAT_RETENTION_DAYS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return self.title


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Reader"
        ASSISTANT = "assistant", "Assistant"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    sources = models.JSONField(default=list, blank=True)
    usage = models.JSONField(default=dict, blank=True)
    stopped = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.role}: {self.text[:60]}"


class AssistantPage(BasePage):
    """The site assistant: readers ask about anything the site has published."""

    intro = models.TextField(blank=True, max_length=500)

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1
    assistant_panel = True

    class Meta:
        verbose_name = "assistant page"

    def get_summary(self):
        return self.listing_summary or self.search_description or self.intro

    def get_index_sections(self):
        return []  # the assistant page has nothing to cite


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
