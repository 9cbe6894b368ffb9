"""Readers' assistant history: view it and clear it."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chat.assistant.models import Conversation, Message
from chat.assistant.wagtail_hooks import SESSION_FLAG


def _owned(request):
    return Conversation.objects.owned_by(request.user, request.session.session_key)


def history(request):
    """The reader's conversations with their messages (constant queries)."""
    conversations = _owned(request).prefetch_related(
        Prefetch("messages", queryset=Message.objects.order_by("created_at", "pk"))
    )
    return TemplateResponse(request, "assistant/history.html", {"conversations": conversations})


@require_POST
def clear_history(request):
    """Delete every conversation of this reader."""
    deleted, _ = _owned(request).delete()
    if deleted:
        messages.success(request, "Your assistant history has been cleared.")
    return redirect("assistant_history")


@require_POST
def delete_conversation(request, conversation_id):
    """Delete one conversation of this reader (404 for anyone else's)."""
    get_object_or_404(_owned(request), pk=conversation_id).delete()
    messages.success(request, "The conversation has been deleted.")
    return redirect("assistant_history")


@require_GET
@never_cache
def assistant_session(request):
    """Give this reader a session (204) so the assistant can keep their
    conversation; the panel asks before opening its socket."""
    if not request.user.is_authenticated and SESSION_FLAG not in request.session:
        request.session[SESSION_FLAG] = True
    return HttpResponse(status=204)
