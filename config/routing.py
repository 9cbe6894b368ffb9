"""WebSocket routes: each app owns its routing.py; this only collects them."""

from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*notification_routes]
