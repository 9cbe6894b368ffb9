"""Production refuses a database whose accounts still sign in with the
published demo password: `migrate` (run before Daphne starts) and
`check --deploy --database default` fail, naming the accounts."""

import pytest
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.demo import DEMO_PASSWORD
from tests.factories import UserFactory
from tests.servers import free_port
from tests.unit.config.test_settings import production_env, run_manage

pytestmark = pytest.mark.django_db

PRODUCTION = "config.settings.production"


def demo_account(username, password=DEMO_PASSWORD, **fields):
    user = UserFactory(username=username, **fields)
    user.set_password(password)
    user.save()
    return user


def account_messages(databases=("default",), deploy=False):
    return [
        message
        for message in run_checks(include_deployment_checks=deploy, databases=list(databases))
        if message.id.startswith("accounts.")
    ]


@pytest.fixture
def seeded_accounts():
    demo_account("admin", is_staff=True, is_superuser=True)
    demo_account("kofi")  # a demo reader
    demo_account("renamed", email="editor@example.com")  # found by its demo address
    demo_account("reader", password="a private passphrase")  # changed: fine
    demo_account("mei", is_active=False)  # deactivated: fine
    demo_account("someone")  # not a demo account: never hashed, never reported


def test_production_refuses_to_migrate_while_a_demo_password_works(settings, seeded_accounts):
    settings.SETTINGS_MODULE = PRODUCTION
    with pytest.raises(SystemCheckError) as refused:
        call_command("migrate", skip_checks=False, verbosity=0)
    report = str(refused.value)
    for username in ("admin", "kofi", "renamed"):
        assert f"Account '{username}' still signs in with the published demo password" in report
    assert "manage.py changepassword admin" in report
    for username in ("reader", "mei", "someone"):
        assert f"'{username}'" not in report
    assert report.count("accounts.E001") == 3


def test_deploy_check_with_the_database_fails_under_any_settings(seeded_accounts):
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--deploy", "--database", "default")
    assert str(refused.value).count("accounts.E001") == 3
    # The development settings' own migrate is not refused (the demo needs it).
    assert account_messages() == []


def test_changed_or_deactivated_demo_accounts_pass(settings, seeded_accounts):
    settings.SETTINGS_MODULE = PRODUCTION
    User = get_user_model()
    for username in ("admin", "kofi"):
        user = User.objects.get(username=username)
        user.set_password("something only its owner knows")
        user.save()
    User.objects.filter(username="renamed").update(is_active=False)
    assert account_messages() == []


def test_without_a_database_the_checks_read_nothing(settings, seeded_accounts):
    settings.SETTINGS_MODULE = PRODUCTION
    with CaptureQueriesContext(connection) as queries:
        messages = [
            message
            for message in run_checks(include_deployment_checks=True, databases=None)
            if message.id.startswith("accounts.")
        ]
    assert messages == []
    assert not [query for query in queries if "auth_user" in query["sql"]]


def test_a_database_without_tables_passes_and_an_unreachable_one_warns(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    result = run_manage(
        "check",
        "--deploy",
        "--database",
        "default",
        "--fail-level",
        "ERROR",
        **production_env(DATABASE_URL=f"sqlite:///{empty}"),
    )
    assert result.returncode == 0, result.stderr
    assert "accounts." not in result.stdout + result.stderr
    unreachable = f"postgres://pressroom:secret@127.0.0.1:{free_port()}/pressroom"
    result = run_manage(
        "check", "--database", "default", **production_env(DATABASE_URL=unreachable)
    )
    assert result.returncode == 0, result.stderr
    assert "accounts.W001" in result.stderr and "Could not look for demo passwords" in result.stderr
