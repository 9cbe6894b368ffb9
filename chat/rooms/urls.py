from django.urls import path

from chat.rooms import views as room_views

urlpatterns = [
    path("", room_views.room_list, name="room_list"),
    path("<slug:slug>/", room_views.room_detail, name="room_detail"),
    path(
        "<slug:slug>/messages/<int:message_id>/delete/",
        room_views.delete_room_message,
        name="room_delete_message",
    ),
]
