from django.urls import path

from chat.consumers import AssistantConsumer
from chat.room_consumer import RoomConsumer

websocket_urlpatterns = [
    path("ws/assistant/", AssistantConsumer.as_asgi()),
    # The slug converter refuses anything but letters, digits, - and _.
    path("ws/rooms/<slug:slug>/", RoomConsumer.as_asgi()),
]
