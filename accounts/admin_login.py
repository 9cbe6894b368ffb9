"""The Wagtail admin login: guarded by django-axes, held to the same account
rules as the site login (allauth), and closed to accounts that use
two-factor authentication (the admin's form cannot ask for a code, so those
accounts sign in through allauth, which can).

Axes counts failures per account, whatever spelling of it was typed (see
accounts.login_identity), and per client address:

- an account is locked after AXES_FAILURE_LIMIT failures from addresses it
  has not signed in to the admin from in the last AXES_KNOWN_ADDRESS_DAYS;
  from an address it has, only the failures from that address count, so
  failures spread over many addresses cannot keep its owner out forever;
- an address is locked after AXES_IP_FAILURE_LIMIT failures, whatever the
  accounts tried.
"""

from datetime import timedelta

from allauth.account import app_settings as allauth_settings
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.utils import has_verified_email
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessBase, AccessLog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.admin.forms.auth import LoginForm

from accounts.login_identity import login_identity

ACCOUNT_LOCK = "username"
ADDRESS_LOCK = "ip_address"


def site_login_url():
    """The reader login, sending the person on to the admin afterwards."""
    return reverse("account_login") + "?" + urlencode({"next": reverse("wagtailadmin_home")})


class AdminLoginForm(LoginForm):
    """Wagtail's login form, applying the site login's account rules:
    active accounts only, a confirmed email address when verification is
    mandatory, and no password-only login for MFA accounts."""

    def confirm_login_allowed(self, user):
        # Inactive accounts never get here (every backend refuses them), but
        # Django's check stays in case a backend that allows them is added.
        super().confirm_login_allowed(user)
        if allauth_settings.EMAIL_VERIFICATION == EmailVerificationMethod.MANDATORY:
            typed = self.cleaned_data.get("username", "")
            # As on the site: a login by address needs that address confirmed
            # (a username may contain "@" too: then any confirmed address).
            address = typed if "@" in typed and typed != user.get_username() else None
            if not has_verified_email(user, address):
                raise ValidationError(
                    "Confirm your email address before signing in. Sign in at %(url)s "
                    "to get a new confirmation link.",
                    code="unverified_email",
                    params={"url": site_login_url()},
                )
        if get_mfa_adapter().is_mfa_enabled(user):
            raise ValidationError(
                "This account uses two-factor authentication. Sign in at %(url)s, "
                "then open the admin.",
                code="mfa_required",
                params={"url": site_login_url()},
            )


def _typed_login(request, credentials):
    if credentials is not None:
        return credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    if request is not None and hasattr(request, "POST"):
        return request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return None


def lockout_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the account's username for any spelling of
    it (username or email address, any case); an unknown login case-folded;
    None when no login was given. Resolved once per request and login."""
    login = _typed_login(request, credentials)
    if not login:
        return None
    if request is None:
        return login_identity(login) or None
    resolved = request_memo(request, "lockout_usernames")
    if login not in resolved:
        resolved[login] = login_identity(login) or None
    return resolved[login]


def request_memo(request, name):
    """A dict kept on the request: axes asks the same questions several
    times while handling one login."""
    memo = getattr(request, f"_{name}", None)
    if memo is None:
        memo = {}
        setattr(request, f"_{name}", memo)
    return memo


def is_known_address(request, username):
    """True when `username` signed in to the admin from the request's
    address within AXES_KNOWN_ADDRESS_DAYS."""
    days = settings.AXES_KNOWN_ADDRESS_DAYS
    address = getattr(request, "axes_ip_address", None)
    if not days or not username or not address:
        return False
    known = request_memo(request, "lockout_known_addresses")
    if username not in known:
        known[username] = AccessLog.objects.filter(
            username=username,
            ip_address=address,
            attempt_time__gte=timezone.now() - timedelta(days=days),
        ).exists()
    return known[username]


def lockout_parameters(request_or_attempt, credentials=None):
    """AXES_LOCKOUT_PARAMETERS: count per account and per address; for an
    account from an address it is known at, per account *and* address."""
    if isinstance(request_or_attempt, AccessBase):
        return [ACCOUNT_LOCK, ADDRESS_LOCK]
    username = get_client_username(request_or_attempt, credentials)
    if is_known_address(request_or_attempt, username):
        return [[ACCOUNT_LOCK, ADDRESS_LOCK], ADDRESS_LOCK]
    return [ACCOUNT_LOCK, ADDRESS_LOCK]


class AdminLoginAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, limited to the Wagtail admin (/admin/), with
    separate limits for accounts and addresses.

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

    def get_failures(self, request, credentials=None):
        """The failures that count toward this login's lock: the account's
        (or the account's from this address); once the address alone reaches
        AXES_IP_FAILURE_LIMIT, at least the account limit, so it locks too."""
        username = get_client_username(request, credentials)
        parameters = get_client_parameters(
            username, request.axes_ip_address, request.axes_user_agent, request, credentials
        )
        account_failures = address_failures = 0
        for filter_kwargs, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if set(filter_kwargs) == {ADDRESS_LOCK}:
                address_failures = max(address_failures, failures)
            else:
                account_failures = max(account_failures, failures)
        if address_failures >= settings.AXES_IP_FAILURE_LIMIT:
            return max(account_failures, get_failure_limit(request, credentials))
        return account_failures

    def reset_user_attempts(self, request, credentials=None):
        """After a successful login, forget the account's failures from this
        address only: failures from other addresses keep counting, and the
        address's failures against other accounts stay (a login to one's own
        account must not buy more guesses at someone else's)."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


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
