"""Closing a signed-in reader's open sockets when their sign-in ends.

Every socket of a signed-in user joins two channel-layer groups: one for
its session and one for the account. Logging out, or a session ended from
the sessions page, closes that session's sockets; a new password (however
it was set: password change or reset, allauth, the Wagtail or Django admin,
`changepassword`), a deactivated or a deleted account close all of the
account's sockets, as Django's session checks end its HTTP sessions.

Group names are derived from ids and a keyed hash of the session key, never
from client input, and never contain the key itself.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.crypto import salted_hmac

from core.after_commit import after_commit

logger = logging.getLogger(__name__)

# The close code sent to sockets whose sign-in ended (the notification
# script stops reconnecting on it).
SIGNED_OUT_CLOSE_CODE = 4401
SESSION_ENDED_EVENT = "session.ended"


def session_group(session_key):
    """The group of every socket opened with one session."""
    digest = salted_hmac("pressroom.socket-session", session_key, algorithm="sha256")
    return f"session-{digest.hexdigest()[:40]}"


def account_group(user_id):
    """The group of every signed-in socket of one account."""
    return f"account-{int(user_id)}"


def signed_in_groups(scope):
    """The groups a socket joins: its session's and its account's, or none
    for an anonymous socket."""
    user = scope.get("user")
    session = scope.get("session")
    session_key = getattr(session, "session_key", None) if session is not None else None
    if user is None or not user.is_authenticated or not session_key:
        return []
    return [session_group(session_key), account_group(user.pk)]


def close_sockets(group):
    """Ask every socket in the group to close; a channel layer that is down
    is logged, never raised into the logout or save that triggered it."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": SESSION_ENDED_EVENT})
    except Exception:
        logger.exception("could not close the sockets of %s", group)


def close_session_sockets(session_key):
    """Close the sockets opened with this session."""
    if session_key:
        close_sockets(session_group(session_key))


def close_account_sockets(user_id):
    """Close every signed-in socket of this account."""
    close_sockets(account_group(user_id))


# Receivers --------------------------------------------------------------------


def on_logged_out(sender, request=None, user=None, **kwargs):
    """user_logged_out: runs before the session is flushed, so its key is known."""
    session = getattr(request, "session", None)
    close_session_sockets(getattr(session, "session_key", None))


def on_user_session_deleted(sender, instance, **kwargs):
    """allauth's UserSession row removed: the session was ended or has expired."""
    key = instance.session_key
    after_commit(lambda: close_session_sockets(key))


def note_sign_in_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save on the user: flag a new password hash or a deactivation."""
    instance._close_sockets_after_save = False
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login update of every login
    stored = (
        sender._default_manager.filter(pk=instance.pk).values_list("password", "is_active").first()
    )
    if stored is None:
        return
    password, was_active = stored
    instance._close_sockets_after_save = password != instance.password or (
        was_active and not instance.is_active
    )


def close_after_sign_in_change(sender, instance, **kwargs):
    """post_save on the user: close the account's sockets once the change commits."""
    if getattr(instance, "_close_sockets_after_save", False):
        instance._close_sockets_after_save = False
        user_id = instance.pk
        after_commit(lambda: close_account_sockets(user_id))


def close_after_user_deleted(sender, instance, **kwargs):
    """post_delete on the user: a deleted account keeps no sockets."""
    user_id = instance.pk
    after_commit(lambda: close_account_sockets(user_id))


def connect_receivers():
    """Connect the receivers above (from an AppConfig.ready())."""
    from allauth.usersessions.models import UserSession

    user_model = get_user_model()
    user_logged_out.connect(on_logged_out, dispatch_uid="core.sockets.logged_out")
    post_delete.connect(
        on_user_session_deleted, sender=UserSession, dispatch_uid="core.sockets.usersession"
    )
    pre_save.connect(note_sign_in_change, sender=user_model, dispatch_uid="core.sockets.note")
    post_save.connect(
        close_after_sign_in_change, sender=user_model, dispatch_uid="core.sockets.changed"
    )
    post_delete.connect(
        close_after_user_deleted, sender=user_model, dispatch_uid="core.sockets.deleted"
    )
