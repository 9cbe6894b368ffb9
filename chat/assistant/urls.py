from django.urls import path

from chat.assistant import views

urlpatterns = [
    path("", views.history, name="assistant_history"),
    path("session/", views.assistant_session, name="assistant_session"),
    path("clear/", views.clear_history, name="assistant_history_clear"),
    path("<uuid:conversation_id>/delete/", views.delete_conversation, name="assistant_delete"),
]
