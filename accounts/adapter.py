"""django-allauth adapters: email through Celery, usernames that never reveal
an email address, and TOTP secrets encrypted at rest."""

import base64
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_field, user_username
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.html import urlize

from accounts.login_identity import login_identity
from core.tasks import send_email

USERNAME_FALLBACK = "reader"


class AccountAdapter(DefaultAccountAdapter):
    """allauth's behaviour with Pressroom's mail delivery and username rules."""

    def send_mail(self, template_prefix, email, context):
        """Render allauth's templates now (in the request, HTML and text) and
        send from a Celery worker once the transaction commits."""
        request = allauth_context.request
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request) if request else configured_site(),
            "site_name": settings.WAGTAIL_SITE_NAME,
            **context,
        }
        message = self.render_mail(template_prefix, email, full_context)
        html = next(
            (
                body
                for body, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        if not html:
            # allauth ships text-only templates for its notices; wrap the text
            # in the site's email layout rather than maintain a copy of each.
            html = render_to_string(
                "accounts/email/notice.html",
                {
                    "subject": message.subject,
                    "body": urlize(message.body, autoescape=True),
                    "site_name": settings.WAGTAIL_SITE_NAME,
                },
            )
        send_email.delay_on_commit(
            subject=message.subject,
            text=message.body,
            html=html,
            recipients=list(message.to),
            from_email=message.from_email,
        )

    def populate_username(self, request, user):
        """Fill in a unique username from the person's name, never from the
        email address (usernames appear in public profile URLs)."""
        if user_username(user):
            return
        user_username(
            user,
            self.generate_unique_username(
                [user_field(user, "first_name"), user_field(user, "last_name"), USERNAME_FALLBACK]
            ),
        )

    def save_user(self, request, user, form, commit=True):
        """The new user's username follows the display name chosen at sign-up."""
        user = super().save_user(request, user, form, commit=False)
        display_name = form.cleaned_data.get("display_name") or ""
        if display_name:
            user_username(user, self.generate_unique_username([display_name, USERNAME_FALLBACK]))
        if commit:
            user.save()
        return user

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The key of allauth's per-account `login_failed` limit: the account
        the login names, so every spelling of its address (any case, a second
        address) shares one budget. allauth keys on the lowercased text; this
        private hook is its only seam, pinned by tests/unit/accounts."""
        login = credentials.get("email", credentials.get("username", ""))
        return f"{get_current_site(request).domain}:{login_identity(login)}"


def configured_site():
    """The site as settings describe it, for mail sent outside a request
    (allauth sends some notices from on_commit callbacks)."""
    return SimpleNamespace(
        domain=urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc, name=settings.WAGTAIL_SITE_NAME
    )


def _fernet_keys():
    """Fernet keys derived from SECRET_KEY and its fallbacks (newest first),
    so rotating the key with SECRET_KEY_FALLBACKS keeps secrets readable."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        Fernet(
            base64.urlsafe_b64encode(
                salted_hmac(
                    "pressroom.mfa", "totp-secrets", secret=secret, algorithm="sha256"
                ).digest()
            )
        )
        for secret in secrets
    ]


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets and recovery-code seeds before they are stored."""

    def encrypt(self, text):
        return MultiFernet(_fernet_keys()).encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text):
        try:
            return MultiFernet(_fernet_keys()).decrypt(encrypted_text.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "An MFA secret cannot be decrypted: was SECRET_KEY changed without "
                "keeping the old one in SECRET_KEY_FALLBACKS?"
            ) from exc
