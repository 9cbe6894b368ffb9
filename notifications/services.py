"""notify(): the one way any part of Pressroom tells users about something."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from notifications.groups import user_group
from notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(recipients, verb, actor=None, target=None, data=None):
    """Store one notification per recipient and, after commit, ping their sockets.

    `recipients` is an iterable of users; the actor never notifies themself.
    Returns the created notifications.
    """
    recipients = {user.pk: user for user in recipients if user is not None}
    if actor is not None:
        recipients.pop(actor.pk, None)
    if not recipients:
        return []
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            actor=actor,
            verb=verb,
            target_type=target_type,
            target_id=str(target.pk) if target is not None else "",
            data=data or {},
        )
        for user_id in recipients
    )
    created = [(n.recipient_id, n.pk) for n in notifications]
    transaction.on_commit(lambda: _announce(created))
    return notifications


def _announce(created):
    """Tell each recipient's open connections that something new arrived.

    Channel layers deliver at most once; a lost ping is recovered when the
    client next fetches, so failures are logged, never raised.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(_send_pings)(layer, created)
    except Exception:
        logger.exception("could not announce %d notifications", len(created))


async def _send_pings(layer, created):
    for recipient_id, notification_id in created:
        await layer.group_send(
            user_group(recipient_id), {"type": "notification.created", "id": notification_id}
        )
