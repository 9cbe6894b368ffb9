"""The whole reader journey: sign up, confirm the email address from the
captured message, log in, enrol an authenticator app, then log in with a
TOTP code and with a recovery code."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp_auth
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Profile

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def totp_code(secret, at=None):
    """The code an authenticator app shows for `secret` at time `at`."""
    counter = int(at or time.time()) // 30
    return totp_auth.format_hotp_value(totp_auth.hotp_value(secret, counter))


def logged_in_user(client):
    return client.get("/").context["user"]


def html_part(message):
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def test_sign_up_verify_log_in_and_use_two_factor(
    client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    # Sign up ------------------------------------------------------------
    assert client.get(reverse("account_signup")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "Ada Lovelace",
                "email": "ada@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="ada@example.com")
    assert user.username == "ada_lovelace"  # from the display name, never the email
    assert Profile.objects.get(user=user).display_name == "Ada Lovelace"
    assert not logged_in_user(client).is_authenticated  # mandatory verification

    # Both emails went out (through the Celery task), each with HTML and text.
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "Welcome to Pressroom, Ada Lovelace",
        "[Pressroom] Please Confirm Your Email Address",
    ]
    confirmation = next(m for m in mail.outbox if "Confirm" in m.subject)
    welcome = next(m for m in mail.outbox if "Welcome" in m.subject)
    assert confirmation.to == ["ada@example.com"]
    link = re.search(
        r"http://testserver(/accounts/confirm-email/[^/\s]+/)", confirmation.body
    ).group(1)
    assert f'href="http://testserver{link}"' in html_part(confirmation)
    assert "Protect your account with an authenticator app" in html_part(welcome)
    assert "/accounts/profile/" in welcome.body

    # Logging in before confirming is refused.
    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD}
    )
    assert not logged_in_user(client).is_authenticated

    # Confirm ----------------------------------------------------------------
    assert "Confirm Email Address" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    client.post(reverse("account_logout"))
    assert not logged_in_user(client).is_authenticated

    # Log in by email --------------------------------------------------------
    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in_user(client) == user
    assert "Ada Lovelace" in client.get("/").content.decode()  # the header shows the name

    # Enrol an authenticator app (allauth asks for the password again first).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = client.session[totp_auth.SECRET_SESSION_KEY]
    assert secret in page  # shown for manual entry, next to the QR code
    assert 'src="data:image/svg+xml' in page
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "Incorrect code" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert secret not in str(totp.data)  # encrypted at rest (accounts.adapter.MFAAdapter)
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    codes = RecoveryCodes(recovery).get_unused_codes()
    assert len(codes) == 10
    assert "Authenticator App" in client.get(reverse("mfa_index")).content.decode()
    assert any("Authenticator app activated" in m.body for m in mail.outbox)

    # Log in with a code from the app ------------------------------------------
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_user(client).is_authenticated  # the password alone is not enough
    response = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert not logged_in_user(client).is_authenticated
    # The code of the next 30-second step (the enrolment code is spent).
    later = time.time() + 30
    monkeypatch.setattr(totp_auth.time, "time", lambda: later)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, later)})
    assert response.status_code == 302
    assert logged_in_user(client) == user

    # Log in with a recovery code ----------------------------------------------
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert logged_in_user(client) == user
    recovery.refresh_from_db()
    assert codes[0] not in RecoveryCodes(recovery).get_unused_codes()

    # A spent recovery code does not work twice.
    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert not logged_in_user(client).is_authenticated


def test_optional_verification_logs_in_at_once_and_still_sends_the_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "display_name": "Grace",
                "email": "grace@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert logged_in_user(client).email == "grace@example.com"
    assert any("Confirm" in message.subject for message in mail.outbox)


def test_usernames_follow_display_names_and_stay_unique(client):
    for number in range(2):
        client.post(
            reverse("account_signup"),
            {
                "display_name": "Same Name",
                "email": f"same{number}@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        client.post(reverse("account_logout"))
    usernames = sorted(get_user_model().objects.values_list("username", flat=True))
    assert len(usernames) == 2 and len(set(usernames)) == 2
    assert all(name.startswith("same_name") for name in usernames)
    assert not any("same0" in name or "@" in name for name in usernames)


def test_sign_up_errors_keep_the_entered_values(client):
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Kept",
            "email": "kept@example.com",
            "password1": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="kept@example.com"' in html and 'value="Kept"' in html
    assert "too short" in html
    assert not get_user_model().objects.filter(email="kept@example.com").exists()
