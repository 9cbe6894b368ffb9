"""Brute-force defences: allauth's rate limits on the reader login and
django-axes on the Wagtail admin login; MFA accounts cannot bypass their
second factor through the admin's password-only form."""

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reader_login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def admin_login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password})


@pytest.fixture
def reader(django_user_model):
    user = UserFactory(username="rita", email="rita@example.com")
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    return user


def test_reader_login_is_rate_limited_per_account(client, reader):
    # allauth: 5 failures per account in 5 minutes (ACCOUNT_RATE_LIMITS).
    for _ in range(5):
        response = reader_login(client, "rita@example.com", "wrong")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    response = reader_login(client, "rita@example.com", "pw")  # even the right password
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same browser is not affected.
    other = UserFactory(username="omar", email="omar@example.com")
    other.emailaddress_set.create(email=other.email, verified=True, primary=True)
    assert reader_login(client, "omar@example.com", "pw").status_code == 302
    # Reader failures are not admin failures: axes recorded nothing.
    assert not AccessAttempt.objects.exists()


def test_admin_login_locks_out_after_repeated_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    for _ in range(2):
        response = admin_login(client, "chief", "wrong")
        assert response.status_code == 200
    response = admin_login(client, "chief", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many login attempts" in html
    assert "locked after 3 failed attempts" in html and "15 minutes" in html
    # The right password is refused while the lock lasts.
    response = admin_login(client, "chief", "pw")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="chief")
    assert attempt.failures_since_start >= 3
    # Another admin on the same address still gets in (lock is per user and IP).
    UserFactory(username="deputy", is_staff=True, is_superuser=True)
    assert admin_login(client, "deputy", "pw").status_code == 302


def test_successful_admin_login_is_unaffected(client):
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    admin_login(client, "chief", "wrong")
    response = admin_login(client, "chief", "pw")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_mfa_accounts_must_use_the_reader_login(client):
    user = UserFactory(username="careful", is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = admin_login(client, "careful", "pw")
    assert response.status_code == 200
    assert "uses two-factor authentication" in response.content.decode()
    assert "_auth_user_id" not in client.session
