"""Everything under /accounts/: allauth's pages plus the profile editor and
account deletion."""

from django.urls import include, path

from accounts import views

urlpatterns = [
    path("profile/", views.edit_profile, name="accounts_profile"),
    path("delete/", views.delete_own_account, name="accounts_delete"),
    path("", include("allauth.urls")),
]
