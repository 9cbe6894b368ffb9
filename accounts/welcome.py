"""The welcome email every new reader gets after signing up."""

from django.conf import settings
from django.urls import reverse

from accounts.profiles import public_name
from core.mail import queue_email


def send_welcome_email(sender, request, user, **kwargs):
    """allauth user_signed_up receiver: queue the welcome email (HTML and text)."""
    base_url = (
        request.build_absolute_uri("/").rstrip("/") if request else settings.WAGTAILADMIN_BASE_URL
    )
    queue_email(
        "accounts/email/welcome",
        [user.email],
        {
            "name": public_name(user),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "home_url": f"{base_url}/",
            "profile_url": base_url + reverse("accounts_profile"),
            "security_url": base_url + reverse("mfa_index"),
        },
    )
