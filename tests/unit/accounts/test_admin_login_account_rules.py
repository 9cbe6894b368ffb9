"""The Wagtail admin login applies the site login's account rules: email
verification when it is mandatory, active accounts only, and no
password-only login for two-factor accounts."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


PASSWORD = "pw"  # UserFactory's


def admin_login(client, login):
    return client.post("/admin/login/", {"username": login, "password": PASSWORD})


def site_login(client, login):
    return client.post(reverse("account_login"), {"login": login, "password": PASSWORD})


def signed_in(client):
    return "_auth_user_id" in client.session


def staff_member(username, verified):
    user = UserFactory(username=username, is_staff=True, is_superuser=True)
    if verified is not None:
        EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


@pytest.mark.parametrize("login", ["newbie", "newbie@example.com", "NEWBIE@Example.com"])
def test_unverified_accounts_are_refused_when_verification_is_mandatory(client, settings, login):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    staff_member("newbie", verified=False)
    # The site login refuses it (it sends a confirmation link instead)...
    response = site_login(client, "newbie@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not signed_in(client)
    # ...and so does the admin's form, whatever spelling of the account.
    response = admin_login(client, login)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm your email address before signing in" in html
    assert "/accounts/login/?next=%2Fadmin%2F" in html
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login


def test_accounts_without_any_address_are_refused_when_verification_is_mandatory(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    staff_member("bare", verified=None)
    response = admin_login(client, "bare")
    assert "Confirm your email address before signing in" in response.content.decode()
    assert not signed_in(client)


def test_verified_accounts_sign_in_when_verification_is_mandatory(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    staff_member("trusted", verified=True)
    response = admin_login(client, "Trusted@Example.com")
    assert response.status_code == 302
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_unverified_accounts_sign_in_when_verification_is_optional(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    staff_member("hasty", verified=False)
    assert admin_login(client, "hasty").status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("login", ["gone", "gone@example.com"])
def test_inactive_accounts_are_refused(client, login):
    user = staff_member("gone", verified=True)
    user.is_active = False
    user.save()
    response = admin_login(client, login)
    assert response.status_code == 200
    assert "didn&#x27;t match" in response.content.decode()
    assert not signed_in(client)


def test_mfa_accounts_are_refused_even_by_email(client):
    user = staff_member("careful", verified=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = admin_login(client, "CAREFUL@example.com")
    assert response.status_code == 200
    assert "uses two-factor authentication" in response.content.decode()
    assert not signed_in(client)
