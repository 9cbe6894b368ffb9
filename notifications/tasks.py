"""The daily email digest of unread notifications (Celery beat, once a day)."""

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.mail import queue_email
from notifications.models import Notification


@shared_task(ignore_result=True)
def send_daily_digest():
    """Email each user their unread notifications chosen for email, once each."""
    pending = (
        Notification.objects.filter(by_email=True, emailed_at__isnull=True, read_at__isnull=True)
        .select_related("recipient")
        .order_by("recipient_id", "-created_at")
    )
    by_user = defaultdict(list)
    for notification in pending:
        if notification.recipient.email and notification.recipient.is_active:
            by_user[notification.recipient].append(notification)
    sent = 0
    for user, notifications in by_user.items():
        with transaction.atomic():
            queue_email(
                "notifications/email/digest",
                [user.email],
                {
                    "user": user,
                    "notifications": notifications,
                    "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
                },
            )
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
                emailed_at=timezone.now()
            )
        sent += 1
    return sent
