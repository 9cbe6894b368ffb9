"""notify(): the one way any part of Pressroom tells users about something.

It writes the rows (the truth), then, after commit, pings each recipient's
open sockets through the channel layer with everything the page needs — the
notification and the new unread count — so delivering to many sockets costs
no database work in the WebSocket process. A ping that is lost (channel
layers deliver at most once) is recovered on the next page load or refetch.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import IntegerField, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from accounts.profiles import public_name
from core.after_commit import after_commit
from notifications.delivery import send_to_groups
from notifications.events import EVENTS
from notifications.groups import user_group
from notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


def preferences_for(user_ids, verb):
    """{user id: (on_site, by_email)} for one kind of notification."""
    event = EVENTS[verb]
    chosen = {
        row.user_id: (row.on_site, row.by_email)
        for row in NotificationPreference.objects.filter(user_id__in=user_ids, verb=verb)
    }
    return {user_id: chosen.get(user_id, (event.on_site, event.by_email)) for user_id in user_ids}


def actor_name(actor):
    """The actor's name as the site shows it everywhere (accounts.names)."""
    if actor is None:
        return ""
    return public_name(actor)


def notify(recipients, verb, actor=None, target=None, data=None, aggregate_key=""):
    """Store notifications for the recipients and, after commit, ping their sockets.

    `recipients` is an iterable of users (the actor never notifies themself);
    `verb` one of notifications.events.EVENTS; `data` JSON-serialisable
    details (title and url are shown). With `aggregate_key`, an unread
    notification of the same verb and key is updated (count and actor) rather
    than a new one created. Returns the created or updated notifications.
    """
    if verb not in EVENTS:
        raise ValueError(f"unknown notification verb {verb!r}")
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        users.pop(actor.pk, None)
    if not users:
        return []
    choices = preferences_for(users, verb)
    data = {**(data or {}), "actor_name": actor_name(actor)}
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None else ""

    with transaction.atomic():
        touched = []
        wanted = {pk: flags for pk, flags in choices.items() if any(flags)}
        if aggregate_key:
            existing = (
                Notification.objects.select_for_update()
                .filter(recipient_id__in=wanted, verb=verb, aggregate_key=aggregate_key)
                .unread()
            )
            for notification in existing:
                wanted.pop(notification.recipient_id, None)
                folded = fold_actor(notification.data, notification.actor_id, actor, data)
                if folded is None:
                    continue  # this actor is already counted: nothing new to tell
                notification.data = folded
                notification.actor = actor
                notification.save(update_fields=["data", "actor"])
                touched.append(notification)
        created = Notification.objects.bulk_create(
            Notification(
                recipient_id=user_id,
                actor=actor,
                verb=verb,
                target_type=target_type,
                target_id=target_id,
                data=first_of_aggregate(data, actor) if aggregate_key else data,
                aggregate_key=aggregate_key,
                on_site=on_site,
                by_email=by_email,
            )
            for user_id, (on_site, by_email) in wanted.items()
        )
        touched.extend(created)
        shown = [notification for notification in touched if notification.on_site]
        counts = unread_counts({notification.recipient_id for notification in shown})
        pings = [
            (
                notification.recipient_id,
                notification.as_frame(),
                counts.get(notification.recipient_id, 0),
            )
            for notification in shown
        ]
        after_commit(lambda: announce(pings))
    return touched


# Aggregated notifications ----------------------------------------------------------
#
# Likes of one target fold into one unread notification that counts the
# distinct people (data["count"], their ids in data["actor_ids"]): liking,
# unliking and liking again is still one person. Each new person is news, so
# the unread count weighs a folded notification by its people (UNREAD_WEIGHT)
# and the bell moves when someone new joins it.


def first_of_aggregate(data, actor):
    """The data of a new aggregated notification: one person so far."""
    return {**data, "count": 1, "actor_ids": [actor.pk] if actor is not None else []}


def fold_actor(stored, stored_actor_id, actor, data):
    """The data of an aggregated notification after `actor` joins it, or None
    when `actor` is already counted in it."""
    actor_ids = list(stored.get("actor_ids") or ([stored_actor_id] if stored_actor_id else []))
    if actor is not None:
        if actor.pk in actor_ids:
            return None
        actor_ids.append(actor.pk)
    return {**stored, **data, "count": int(stored.get("count", 1)) + 1, "actor_ids": actor_ids}


# What one unread notification adds to the bell: 1, or its number of people.
UNREAD_WEIGHT = Coalesce(Cast(KT("data__count"), IntegerField()), Value(1))


def unread_counts(user_ids):
    """{user id: unread on-site notifications}, in one query; an aggregated
    notification counts once per person in it."""
    if not user_ids:
        return {}
    rows = (
        Notification.objects.filter(recipient_id__in=user_ids, on_site=True, read_at__isnull=True)
        .values("recipient_id")
        .annotate(unread=Sum(UNREAD_WEIGHT))
    )
    return {row["recipient_id"]: row["unread"] for row in rows}


def unread_count(user):
    """Unread on-site notifications of one user (aggregates weighed as in
    unread_counts), in one query."""
    unread = Notification.objects.for_user(user).in_bell().unread()
    return unread.aggregate(unread=Sum(UNREAD_WEIGHT))["unread"] or 0


def announce(pings):
    """Send each (user id, frame, unread count) to that user's sockets."""
    send_to_groups(
        [
            (
                user_group(user_id),
                {"type": "notification.created", "notification": frame, "unread_count": count},
            )
            for user_id, frame, count in pings
        ]
    )


def mark_read(user, notification_ids=None):
    """Mark some (or all) of a user's notifications read; returns the unread count.

    The user's other open tabs are told the new count.
    """
    from django.utils import timezone

    unread = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    unread.update(read_at=timezone.now())
    count = unread_count(user)
    try:
        send_to_groups(
            [(user_group(user.pk), {"type": "notification.read", "unread_count": count})]
        )
    except Exception:
        logger.exception("could not announce read notifications of user %s", user.pk)
    return count
