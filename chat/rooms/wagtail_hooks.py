"""Admin hooks: the chat rooms listing."""

from wagtail import hooks

from chat.rooms.admin_views import RoomViewSet


@hooks.register("register_admin_viewset")
def register_room_viewset():
    return RoomViewSet("chat_rooms")
