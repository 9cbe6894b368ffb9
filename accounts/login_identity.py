"""One identity per account for counting failed logins.

Both login forms accept more than one spelling of the same account: the
Wagtail admin takes the username or the email address (allauth's backend
matches addresses case-insensitively), the site login takes the address in
any case. Brute-force limits keyed on the literal text would give every
spelling its own budget, so failures are counted under the account's
username, whatever was typed; a login that names no account is counted
under its case-folded text.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

# Enough to rank an ambiguous login (a username that is also someone's
# address) without loading an unbounded list.
CANDIDATE_LIMIT = 5


def account_for_login(login):
    """The account a typed login (username or email address, any case) names,
    or None. Ranked as the backends try them: the exact username, then an
    email address, then the username in another case; ties go to the oldest
    account, so every spelling resolves the same way."""
    login = (login or "").strip()
    if not login:
        return None
    User = get_user_model()
    username_field = User.USERNAME_FIELD
    email_field = User.get_email_field_name()
    has_address = EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=login)
    candidates = (
        User.objects.annotate(has_address=Exists(has_address))
        .filter(
            Q(**{f"{username_field}__iexact": login})
            | Q(**{f"{email_field}__iexact": login})
            | Q(has_address=True)
        )
        .order_by("pk")[:CANDIDATE_LIMIT]
    )

    def rank(user):
        if user.get_username() == login:
            return 0
        if user.has_address or (getattr(user, email_field) or "").casefold() == login.casefold():
            return 1
        return 2

    return min(candidates, key=lambda user: (rank(user), user.pk), default=None)


def login_identity(login):
    """The name failures of `login` are counted under: the username of the
    account it names, else the login stripped and case-folded ('' for none)."""
    user = account_for_login(login)
    if user is not None:
        return user.get_username()
    return (login or "").strip().casefold()
