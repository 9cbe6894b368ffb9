from django.urls import path

from community import views

urlpatterns = [
    path("pages/<int:page_id>/comments/", views.post_comment_view, name="community_post_comment"),
    path("comments/<int:pk>/", views.show_comment, name="community_show_comment"),
    path("comments/<int:pk>/edit/", views.edit_comment_view, name="community_edit_comment"),
    path("comments/<int:pk>/delete/", views.delete_comment_view, name="community_delete_comment"),
    path("comments/<int:pk>/report/", views.report_comment_view, name="community_report_comment"),
    path("likes/", views.like_view, name="community_like"),
]
