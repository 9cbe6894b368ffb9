"""One identity for lockouts: failed logins count against the account,
whatever spelling of it was typed, on the admin login (django-axes) and on
the site login (allauth); per-address limits apply as well."""

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.login_identity import login_identity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "chief",
    "CHIEF",
    "Chief",
    "chief@example.com",
    "CHIEF@EXAMPLE.COM",
    "Chief@Example.com",
    "cHiEf@eXaMpLe.CoM",
    " chief@example.com ",
]
ATTACKER = "203.0.113.9"


def admin_login(client, login, password, address=ATTACKER):
    return client.post(
        "/admin/login/", {"username": login, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def chief():
    user = UserFactory(username="chief", email="chief@example.com", is_staff=True)
    user.is_superuser = True
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_every_spelling_resolves_to_the_account(chief):
    UserFactory(username="other", email="other@example.com")
    for spelling in SPELLINGS:
        assert login_identity(spelling) == "chief", spelling
    # Unknown logins are case-folded, so their spellings share a count too.
    assert login_identity(" Ghost@Example.COM ") == "ghost@example.com"
    assert login_identity("") == ""


def test_after_a_lockout_on_the_username_no_spelling_gets_in(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert admin_login(client, "chief", "wrong").status_code == 200
    assert admin_login(client, "chief", "wrong").status_code == 429
    for spelling in SPELLINGS:
        response = admin_login(client, spelling, "pw")
        assert response.status_code == 429, spelling
        assert "Too many login attempts" in response.content.decode()
        assert not signed_in(client)
    # Every failure was recorded under the one account name.
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"chief"}


def test_wrong_passwords_spread_over_spellings_trigger_the_lockout(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [admin_login(client, spelling, "wrong").status_code for spelling in SPELLINGS[:5]]
    assert statuses == [200, 200, 200, 200, 429]
    for spelling in SPELLINGS:
        assert admin_login(client, spelling, "pw").status_code == 429, spelling
    assert not signed_in(client)
    # The lock is the account's: another admin at the same address gets in.
    UserFactory(username="deputy", is_staff=True, is_superuser=True)
    assert admin_login(client, "deputy", "pw").status_code == 302


def test_unknown_logins_count_together_whatever_their_case(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [
        admin_login(client, login, "wrong").status_code
        for login in ("ghost@example.com", "GHOST@example.com", "Ghost@Example.Com")
    ]
    assert statuses == [200, 200, 429]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["ghost@example.com"]


def test_failures_from_many_addresses_lock_the_account_but_not_its_known_address(
    client, chief, settings
):
    settings.AXES_FAILURE_LIMIT = 4
    # The owner signed in from their office before.
    assert admin_login(client, "chief", "pw", address="198.51.100.7").status_code == 302
    client.logout()
    for number in range(4):
        admin_login(client, "chief", "wrong", address=f"203.0.113.{number + 1}")
    # From a new address the account is locked, whatever the spelling...
    assert admin_login(client, "chief@example.com", "pw", address="192.0.2.50").status_code == 429
    assert not signed_in(client)
    # ...but failures elsewhere cannot keep the owner out of their known address.
    response = admin_login(client, "Chief@Example.com", "pw", address="198.51.100.7")
    assert response.status_code == 302
    assert signed_in(client)


def test_known_addresses_keep_their_own_limit(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 3
    office = "198.51.100.7"
    assert admin_login(client, "chief", "pw", address=office).status_code == 302
    client.logout()
    statuses = [admin_login(client, "chief", "wrong", address=office).status_code for _ in "abc"]
    assert statuses == [200, 200, 429]
    assert admin_login(client, "chief", "pw", address=office).status_code == 429


def test_one_address_is_locked_after_its_own_limit_whatever_the_accounts(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 4
    for name in ("ann", "bob", "cyd", "dee"):
        UserFactory(username=name, is_staff=True, is_superuser=True)
    statuses = [admin_login(client, name, "wrong").status_code for name in ("ann", "bob", "cyd")]
    assert statuses == [200, 200, 200]
    assert admin_login(client, "dee", "wrong").status_code == 429
    # Even the right password of an account never tried is refused from there...
    UserFactory(username="eve", is_staff=True, is_superuser=True)
    assert admin_login(client, "eve", "pw").status_code == 429
    # ...while the same account signs in from another address.
    assert admin_login(client, "eve", "pw", address="192.0.2.80").status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_failures_against_another(
    client, chief, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="mallory", is_staff=True, is_superuser=True)
    for _ in range(2):
        assert admin_login(client, "chief", "wrong").status_code == 200
    assert admin_login(client, "mallory", "pw").status_code == 302
    client.logout()
    assert admin_login(client, "chief@example.com", "wrong").status_code == 429
    assert AccessAttempt.objects.get(username="chief").failures_since_start == 3


def test_a_successful_login_forgets_only_that_addresses_failures(client, chief, settings):
    settings.AXES_FAILURE_LIMIT = 5
    admin_login(client, "chief", "wrong", address="203.0.113.1")
    admin_login(client, "chief", "wrong", address="203.0.113.2")
    assert admin_login(client, "chief", "pw", address="203.0.113.2").status_code == 302
    remaining = AccessAttempt.objects.filter(username="chief")
    assert list(remaining.values_list("ip_address", flat=True)) == ["203.0.113.1"]


# The site login (allauth): its per-account `login_failed` limit.


def site_login(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_site_login_counts_failures_per_account_whatever_the_spelling(client):
    rita = UserFactory(username="rita", email="rita@example.com")
    EmailAddress.objects.create(user=rita, email=rita.email, verified=True, primary=True)
    # A second address on the same account shares the budget too.
    EmailAddress.objects.create(user=rita, email="rita@work.example.com", verified=True)
    spellings = [
        "rita@example.com",
        "RITA@EXAMPLE.COM",
        "Rita@Example.Com",
        "rita@work.example.com",
        "RITA@Work.Example.com",
    ]
    for spelling in spellings:  # ACCOUNT_RATE_LIMITS: 5 failures per key in 5 minutes
        html = site_login(client, spelling, "wrong").content.decode()
        assert "not correct" in html, spelling
    response = site_login(client, "rItA@eXaMpLe.CoM", "pw")
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)
    # Another account from the same browser is not affected.
    omar = UserFactory(username="omar", email="omar@example.com")
    EmailAddress.objects.create(user=omar, email=omar.email, verified=True, primary=True)
    assert site_login(client, "OMAR@example.com", "pw").status_code == 302
