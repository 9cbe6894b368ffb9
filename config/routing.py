"""WebSocket routes: each app owns its routing.py; this only collects them."""

from chat.assistant.routing import websocket_urlpatterns as assistant_routes
from chat.rooms.routing import websocket_urlpatterns as room_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*assistant_routes, *room_routes, *notification_routes]
