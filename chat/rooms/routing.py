from django.urls import path

from chat.rooms.consumers import RoomConsumer

websocket_urlpatterns = [
    # The slug converter refuses anything but letters, digits, - and _.
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi()),
]
