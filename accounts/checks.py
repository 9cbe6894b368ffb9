"""System checks: a database that production serves must not keep an
account that signs in with a published demo password.

seed_demo gives its accounts the password printed in the README. It refuses
to run under production settings, but a database seeded elsewhere can still
be served. These checks look only at the accounts seed_demo creates (by
username or address), so their cost does not grow with the user table: one
query and one password hash per such account.

They read the database, so they run only when Django passes them one: on
`migrate` (which the production start-up runs before Daphne, so production
refuses to start) and on `check --database default` (with `--deploy`: under
any settings). A database without tables yet has no accounts to report.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core import checks
from django.db import DatabaseError, connections
from django.db.models import Q


def running_production_settings():
    """True under config.settings.production (the test seed_demo applies too)."""
    return settings.SETTINGS_MODULE.endswith(".production")


def demo_account_names():
    """The usernames seed_demo creates."""
    from accounts.demo import DEMO_READERS
    from home.demo import DEMO_USERS

    return [entry[0] for entry in DEMO_USERS] + [entry[0] for entry in DEMO_READERS]


def accounts_with_demo_password(using="default"):
    """Active demo accounts (by username or their example.com address) whose
    password is still the published one, oldest first."""
    from home.demo import DEMO_PASSWORD

    User = get_user_model()
    names = demo_account_names()
    candidates = (
        User._default_manager.using(using)
        .filter(is_active=True)
        .filter(
            Q(**{f"{User.USERNAME_FIELD}__in": names})
            | Q(**{f"{User.get_email_field_name()}__in": [f"{name}@example.com" for name in names]})
        )
        .order_by("pk")
    )
    # hashers.check_password without a setter: a check never rewrites a hash.
    return [user for user in candidates if check_password(DEMO_PASSWORD, user.password)]


def demo_password_messages(databases):
    """accounts.E001 for each account with the demo password in `databases`;
    accounts.W001 for a database that could not be read."""
    messages = []
    table = get_user_model()._meta.db_table
    for alias in databases or []:
        try:
            if table not in connections[alias].introspection.table_names():
                continue  # before the first migrate: no accounts at all
            found = accounts_with_demo_password(alias)
        except DatabaseError as error:
            messages.append(
                checks.Warning(
                    f"Could not look for demo passwords in database {alias!r}: {error}",
                    id="accounts.W001",
                )
            )
            continue
        for user in found:
            username = user.get_username()
            messages.append(
                checks.Error(
                    f"Account {username!r} still signs in with the published demo password.",
                    hint=(
                        "This database was seeded with demo content. Give the account a "
                        f"real password (manage.py changepassword {username}) or deactivate "
                        "it before production serves this database."
                    ),
                    obj=f"database {alias!r}",
                    id="accounts.E001",
                )
            )
    return messages


@checks.register(checks.Tags.security, checks.Tags.database)
def demo_passwords_in_production(app_configs=None, databases=None, **kwargs):
    """Under production settings, with a database (migrate, check
    --database): an error per account that keeps the demo password."""
    if not running_production_settings():
        return []  # the embedded demo runs migrate on its seeded database
    return demo_password_messages(databases)


@checks.register(checks.Tags.security, checks.Tags.database, deploy=True)
def demo_passwords_before_deploy(app_configs=None, databases=None, **kwargs):
    """`check --deploy --database default` under any settings: the same
    errors (production settings report them through the check above)."""
    if running_production_settings():
        return []
    return demo_password_messages(databases)
