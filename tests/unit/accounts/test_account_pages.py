"""Every account page a reader can reach is the site's own page: header,
stylesheet, messages, and the strict CSP (no inline code) still holds."""

import re
import time

import pytest
from allauth.mfa.totp.internal import auth as totp_auth
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw"


def assert_site_page(response, heading):
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "/static/css/base.css" in html
    assert "/static/css/accounts.css" in html
    assert "template-account" in html
    assert heading in html, heading
    # Strict CSP: scripts only from files (JSON data blocks are not code).
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert " style=" not in html
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


@pytest.fixture
def reader():
    user = UserFactory(username="rita", email="rita@example.com")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def test_entrance_pages(client, reader, django_capture_on_commit_callbacks):
    assert_site_page(client.get(reverse("account_login")), "Sign In")
    assert_site_page(client.get(reverse("account_signup")), "Sign Up")
    assert_site_page(client.get(reverse("account_reset_password")), "Password Reset")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "rita@example.com"})
    assert_site_page(client.get(response["Location"]), "Password Reset")
    [message] = mail.outbox
    assert message.subject == "[Pressroom] Password Reset Email"
    html = message.alternatives[0][0]
    assert "Choose a new password" in html
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert_site_page(response, "Change Password")
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert_site_page(client.get(response["Location"]), "Change Password")
    reader.refresh_from_db()
    assert reader.check_password("a new long passphrase")


def test_verification_pages(client, settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "Vera",
                "email": "vera@example.com",
                "password1": "a long passphrase",
                "password2": "a long passphrase",
            },
        )
    assert_site_page(client.get(response["Location"]), "Verify Your Email Address")
    message = next(m for m in mail.outbox if "Confirm" in m.subject)
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
    assert_site_page(client.get(link), "Confirm Email Address")


def test_manage_pages(client, reader, django_capture_on_commit_callbacks, monkeypatch):
    client.post(reverse("account_login"), {"login": "rita@example.com", "password": PASSWORD})
    for name, heading in [
        ("accounts_profile", "Your profile"),
        ("accounts_delete", "Delete your account"),
        ("account_email", "Email Address"),
        ("account_change_password", "Change Password"),
        ("mfa_index", "Two-Factor Authentication"),
        ("usersessions_list", "Sessions"),
    ]:
        response = client.get(reverse(name))
        assert_site_page(response, heading)
        assert 'class="account-nav' in response.content.decode()
    assert_site_page(client.get(reverse("account_logout")), "Sign Out")

    response = client.get(reverse("mfa_activate_totp"))
    assert_site_page(client.get(response["Location"]), "Confirm Access")
    client.post(response["Location"], {"password": PASSWORD})
    assert_site_page(client.get(reverse("mfa_activate_totp")), "Activate Authenticator App")
    secret = client.session[totp_auth.SECRET_SESSION_KEY]
    code = totp_auth.format_hotp_value(totp_auth.hotp_value(secret, int(time.time()) // 30))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_activate_totp"), {"code": code})
    assert_site_page(client.get(reverse("mfa_view_recovery_codes")), "Recovery Codes")
    assert_site_page(client.get(reverse("mfa_generate_recovery_codes")), "Recovery Codes")
    assert_site_page(client.get(reverse("mfa_deactivate_totp")), "Deactivate Authenticator App")

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": "rita@example.com", "password": PASSWORD})
    assert_site_page(client.get(reverse("mfa_authenticate")), "Two-Factor Authentication")


def test_header_links_follow_the_session(client, reader):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in html and 'href="/accounts/signup/"' in html
    client.force_login(reader)
    html = client.get("/").content.decode()
    # The name is shown, not linked: deciding whether the account has a public
    # profile (staff have none) would cost every signed-in page a query. The
    # profile page links to the public one.
    assert '<span class="account-links__name">' in html
    assert 'href="/accounts/profile/"' in html and 'href="/accounts/2fa/"' in html
    assert 'action="/accounts/logout/"' in html  # logging out is a POST
