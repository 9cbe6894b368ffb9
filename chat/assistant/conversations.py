"""Conversation storage: open (or continue) a reader's conversation and record turns."""

from django.core.cache import cache
from django.db import transaction

from chat.assistant.models import Conversation, Message
from core.websocket import ClientError

PURGE_INTERVAL = 3600


def open_conversation(user, session_key, conversation_id, page, question):
    """The reader's conversation (new or continued) and its (question, answer) history."""
    purge_expired()
    if conversation_id is not None:
        conversation = (
            Conversation.objects.owned_by(user, session_key).filter(pk=conversation_id).first()
        )
        if conversation is None:
            raise ClientError("conversation_not_found", "That conversation does not exist.")
    elif user is None and not session_key:
        # Cookies are off: answer, but keep nothing.
        conversation = Conversation(title=question[:200], page=page)
        return conversation, []
    else:
        conversation = Conversation.objects.create(
            user=user, session_key="" if user else session_key, page=page, title=question[:200]
        )
    return conversation, history(conversation)


def history(conversation):
    """(question, answer) pairs of a conversation, oldest first."""
    pairs, pending = [], None
    for message in conversation.messages.all():
        if message.role == Message.Role.USER:
            pending = message.text
        elif pending is not None:
            pairs.append((pending, message.text))
            pending = None
    return pairs


def record(conversation, question, answer, sources, usage, stopped=False):
    """Store one question and its answer (nothing for unsaved conversations)."""
    if conversation._state.adding:
        return
    with transaction.atomic():
        Message.objects.create(conversation=conversation, role=Message.Role.USER, text=question)
        Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            text=answer,
            sources=sources,
            usage=usage or {},
            stopped=stopped,
        )
        conversation.save(update_fields=["updated_at"])


def purge_expired():
    """Delete conversations older than CHAT_RETENTION_DAYS (at most hourly per cache)."""
    if cache.add("chat:purged-recently", True, PURGE_INTERVAL):
        Conversation.objects.expired().delete()
