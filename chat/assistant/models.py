"""Assistant conversations (per user, or per session for anonymous readers)
and the site assistant page.

The tables keep their original names (chat_*): the models moved here from
the `chat` app without copying data (see migrations/0001_initial.py).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel

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
        db_table = "chat_conversation"
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
        db_table = "chat_message"
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
        db_table = "chat_assistantpage"
        verbose_name = "assistant page"

    def get_summary(self):
        return self.listing_summary or self.search_description or self.intro

    def get_index_sections(self):
        return []  # the assistant page has nothing to cite
