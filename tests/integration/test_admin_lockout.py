"""The admin lockout against the real Daphne process: a lock on the
username holds for the email address in any case, and wrong passwords
spread over spellings of one account lock it (AXES_FAILURE_LIMIT is 5)."""

import re
import uuid

import httpx
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model

PASSWORD = "correct horse battery staple"  # the test accounts'


@pytest.fixture
def make_admin(live_db):
    """Creates superusers with unique names; their axes records go afterwards
    (every test here fails from 127.0.0.1, which has its own limit)."""
    names = []

    def make():
        name = f"chief{uuid.uuid4().hex[:8]}"
        names.append(name)
        return get_user_model().objects.create_superuser(name, f"{name}@example.com", PASSWORD)

    yield make
    AccessAttempt.objects.filter(username__in=names).delete()
    get_user_model().objects.filter(username__in=names).delete()


class Browser:
    """A cookie-keeping HTTP client that posts the admin login form the way a
    browser does: CSRF cookie and token from the login page first."""

    def __init__(self, base_url):
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def admin_login(self, login, password):
        page = self.http.get("/admin/login/")
        assert page.status_code == 200, page.text[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.http.post(
            "/admin/login/",
            data={"csrfmiddlewaretoken": token, "username": login, "password": password},
        )

    def has_admin_session(self):
        return self.http.get("/admin/").status_code == 200

    def close(self):
        self.http.close()


@pytest.fixture
def browser(daphne):
    client = Browser(daphne.url)
    yield client
    client.close()


def spellings_of(user):
    name, email = user.username, user.email
    local, _, domain = email.partition("@")
    return [
        email,
        email.upper(),
        f"{local.capitalize()}@{domain.upper()}",
        f" {email.swapcase()} ",
        name.upper(),
    ]


def test_a_lockout_on_the_username_holds_for_the_email_in_any_case(browser, make_admin):
    chief = make_admin()
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [browser.admin_login(chief.username, "wrong").status_code for _ in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    for spelling in spellings_of(chief):
        response = browser.admin_login(spelling, PASSWORD)
        assert response.status_code == 429, spelling
        assert "Too many login attempts" in response.text
        assert "sessionid" not in response.cookies
        assert not browser.has_admin_session()
    # Every spelling was counted under the one account name.
    recorded = AccessAttempt.objects.filter(username__icontains=chief.username)
    assert set(recorded.values_list("username", flat=True)) == {chief.username}


def test_wrong_passwords_spread_over_spellings_lock_the_account(browser, daphne, make_admin):
    chief = make_admin()
    limit = settings.AXES_FAILURE_LIMIT
    spellings = [chief.username, *spellings_of(chief)]
    statuses = [
        browser.admin_login(spellings[attempt % len(spellings)], "wrong").status_code
        for attempt in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    assert AccessAttempt.objects.get(username=chief.username).failures_since_start == limit
    for spelling in (chief.username, chief.email.upper()):
        assert browser.admin_login(spelling, PASSWORD).status_code == 429
    assert not browser.has_admin_session()
    # The lock is the account's, not the address's: another admin gets in.
    deputy = make_admin()
    other = Browser(daphne.url)
    try:
        response = other.admin_login(deputy.email.upper(), PASSWORD)
        assert response.status_code == 302
        assert other.has_admin_session()
    finally:
        other.close()
