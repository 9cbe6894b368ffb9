"""Notifications: the database is the source of truth; WebSockets only say
"something new" so a dropped channel-layer message is recovered on the next
fetch."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from notifications.events import EVENTS, describe


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)

    def in_bell(self):
        """Notifications shown on site (the bell and the notifications page)."""
        return self.filter(on_site=True)


class Notification(models.Model):
    """One event addressed to one user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=64)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(default=dict, blank=True)
    # Repeats with the same key (likes of one page) fold into one unread row.
    aggregate_key = models.CharField(max_length=120, blank=True)
    on_site = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Unread counts: WHERE recipient_id = ? AND read_at IS NULL.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["recipient", "verb", "aggregate_key"],
                condition=Q(read_at__isnull=True),
                name="notification_aggregate",
            ),
        ]

    def __str__(self):
        return f"{self.verb} → {self.recipient_id}"

    @property
    def text(self):
        """What the notification says, in plain text."""
        actor = self.data.get("actor_name") or (
            self.actor.get_full_name() or self.actor.get_username() if self.actor_id else ""
        )
        return describe(self.verb, actor, self.data)

    @property
    def url(self):
        return self.data.get("url", "")

    def as_frame(self):
        """The JSON-serialisable form sent to clients."""
        return {
            "id": self.pk,
            "verb": self.verb,
            "text": self.text,
            "url": self.url,
            "actor": self.data.get("actor_name", ""),
            # Who else is folded into an aggregate is the server's bookkeeping.
            "data": {key: value for key, value in self.data.items() if key != "actor_ids"},
            "read": self.read_at is not None,
            "created_at": self.created_at.isoformat(),
        }


class NotificationPreference(models.Model):
    """A reader's choice for one kind of notification (defaults in events.EVENTS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    verb = models.CharField(max_length=64, choices=[(verb, e.label) for verb, e in EVENTS.items()])
    on_site = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "verb"], name="notification_preference_once")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.verb}"
