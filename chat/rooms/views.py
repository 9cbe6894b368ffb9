"""The chat room pages: the list of open rooms and a room with its history.

The live conversation runs over the room socket (static/js/rooms.js); these
views render the same history for readers without JavaScript and accept the
same actions as plain POST forms, through the same services.
"""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from chat.rooms import messaging, presence
from core.privacy import public_pages
from core.websocket import ClientError
from shop.models import ProductPage

INVALID = 422


def _open_room(slug):
    room = messaging.find_open_room(slug)
    if room is None:
        raise Http404("No such room.")
    return room


def _public_product(room):
    """The room's product page if readers may see it, else None."""
    if room.product_id is None:
        return None
    return public_pages(ProductPage.objects.live().filter(pk=room.product_id)).first()


def room_list(request):
    """Open rooms with how many people are in each."""
    open_rooms = list(messaging.open_rooms())
    present = presence.counts([room.pk for room in open_rooms])
    for room in open_rooms:
        room.present = present[room.pk]
    return TemplateResponse(request, "rooms/room_list.html", {"rooms": open_rooms})


@require_http_methods(["GET", "HEAD", "POST"])
def room_detail(request, slug):
    """A room: its last messages, and (POST) a new message without JavaScript."""
    room = _open_room(slug)
    text, error, status = "", "", 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        text = request.POST.get("text", "")
        try:
            message = messaging.post_message(room, request.user, text)
        except ClientError as refused:
            error, status = refused.message, INVALID
        else:
            return redirect(f"{room.get_absolute_url()}#message-{message.pk}")
    context = {
        "room": room,
        "room_messages": messaging.recent_messages(room),
        "product": _public_product(room),
        "present": presence.count(room.pk),
        "can_moderate": messaging.can_moderate(request.user),
        "max_length": settings.CHAT_ROOM_MESSAGE_MAX_LENGTH,
        "text": text,
        "error": error,
    }
    return TemplateResponse(request, "rooms/room_detail.html", context, status=status)


@require_POST
def delete_room_message(request, slug, message_id):
    """A moderator deletes a message (removed live for everyone)."""
    room = _open_room(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(room.get_absolute_url())
    try:
        messaging.delete_message(room, request.user, message_id)
    except ClientError as refused:
        if refused.code == "not_found":
            raise Http404(refused.message) from refused
        raise PermissionDenied(refused.message) from refused
    flash.success(request, "The message was deleted.")
    return redirect(room.get_absolute_url())
