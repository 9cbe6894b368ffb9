"""The Wagtail admin login: guarded by django-axes, and closed to accounts
that use two-factor authentication (the admin's form cannot ask for a code,
so those accounts sign in through allauth, which can)."""

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's login form, refusing password-only logins for MFA accounts."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if get_mfa_adapter().is_mfa_enabled(user):
            login_url = (
                reverse("account_login") + "?" + urlencode({"next": reverse("wagtailadmin_home")})
            )
            raise ValidationError(
                "This account uses two-factor authentication. Sign in at %(url)s, "
                "then open the admin.",
                code="mfa_required",
                params={"url": login_url},
            )


class AdminLoginAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, limited to the Wagtail admin (/admin/).

    With AXES_ONLY_ADMIN_SITE axes only *refuses* admin requests, but it
    would still record reader logins; here reader logins (allauth, which has
    its own rate limits) are neither counted nor refused.
    """

    def get_admin_url(self):
        return reverse("wagtailadmin_home")

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None and self.is_admin_request(request):
            super().user_logged_out(sender, request, user, **kwargs)


def lockout_response(request, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: a 429 page saying how long the lock lasts."""
    return render(
        request,
        "accounts/admin_lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )
