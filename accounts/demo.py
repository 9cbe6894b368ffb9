"""Demo accounts: every demo user can sign in by email (reader@example.com /
pressroom) and has a profile; a few more readers join the conversation."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import Profile
from home.demo import DEMO_PASSWORD, DEMO_USERS

# username, display name, bio
DEMO_READERS = [
    ("ines", "Inès Laurent", "Librarian, cyclist, reluctant gardener."),
    ("kofi", "Kofi Mensah", "Bakes on weekends, fixes bikes on weekdays."),
    ("mei", "Mei Tanaka", "Birds at dawn, code after breakfast."),
    ("oskar", "Oskar Lind", "Collects old tools and older stories."),
    ("newcomer", "Nadia Novak", "Just moved to the city."),
]

PROFILE_DETAILS = {
    "reader": ("Rita Reader", "Reads everything twice. Comments once."),
    "author": ("Tomasz Wierzbicki", ""),
    "editor": ("Maren Holt", ""),
    "moderator": ("Mona (moderator)", "Keeps the conversation kind."),
}


def seed(stdout):
    """Verified email addresses and profiles for the demo users, plus the
    extra demo readers; returns a summary of what was new."""
    User = get_user_model()
    created_readers = 0
    for username, display_name, _bio in DEMO_READERS:
        if User.objects.filter(username=username).exists():
            continue
        first, _, last = display_name.partition(" ")
        user = User(
            username=username, email=f"{username}@example.com", first_name=first, last_name=last
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created_readers += 1
    details = {**PROFILE_DETAILS, **{name: (shown, bio) for name, shown, bio in DEMO_READERS}}
    usernames = [entry[0] for entry in DEMO_USERS] + [entry[0] for entry in DEMO_READERS]
    addresses = 0
    for user in User.objects.filter(username__in=usernames):
        _, created = EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        addresses += created
        display_name, bio = details.get(user.username, ("", ""))
        Profile.objects.get_or_create(
            user=user, defaults={"display_name": display_name, "bio": bio}
        )
    parts = []
    if created_readers:
        parts.append(f"{created_readers} demo readers")
    if addresses:
        parts.append(f"{addresses} verified email addresses")
    return ", ".join(parts)
