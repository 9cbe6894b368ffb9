from django.urls import path

from chat.assistant.consumers import AssistantConsumer

websocket_urlpatterns = [path("ws/assistant/", AssistantConsumer.as_asgi())]
