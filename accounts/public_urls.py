"""Public profiles under /people/."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("<str:username>/", views.public_profile, name="accounts_public_profile"),
]
