"""Staff usernames are admin login names: staff (staff or superuser flag, or
an editorial group) have no public profile, and public pages never show or
link their usernames."""

import pytest
from django.urls import reverse

from accounts.models import Profile
from tests.community import add_comment, live_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_status(client, username):
    return client.get(reverse("accounts_public_profile", args=[username])).status_code


def nameless(username, **fields):
    """An account with no display name or full name to show instead."""
    return UserFactory(username=username, first_name="", last_name="", **fields)


def test_staff_have_no_public_profile(client):
    UserFactory(username="flagged", is_staff=True)
    UserFactory(username="root", is_superuser=True)
    UserFactory(username="edith", groups=["Editors"])
    UserFactory(username="arthur", groups=["Authors"])
    UserFactory(username="rita")
    for username in ("flagged", "root", "edith", "arthur"):
        assert profile_status(client, username) == 404, username
    assert profile_status(client, "rita") == 200
    # The same answer as for a name nobody has: nothing to tell them apart.
    assert profile_status(client, "nobody") == 404


def test_comments_by_staff_show_no_username_and_no_profile_link(client):
    post = live_post()
    named_editor = UserFactory(username="edlogin7", groups=["Editors"])
    Profile.objects.create(user=named_editor, display_name="Edith from the desk")
    add_comment(post, named_editor, body="From the editors")
    add_comment(post, nameless("adminlogin9", is_staff=True), body="From the admin")
    reader = UserFactory(username="rita")
    Profile.objects.create(user=reader, display_name="Rita R.")
    add_comment(post, reader, body="From a reader")

    html = client.get(post.url).content.decode()
    assert "From the editors" in html and "From the admin" in html
    assert "Edith from the desk" in html and "Staff member" in html
    for username in ("edlogin7", "adminlogin9"):
        assert username not in html
    assert f'href="{reverse("accounts_public_profile", args=["rita"])}"' in html
    assert html.count('class="comment__author" href=') == 1  # only the reader's


def test_staff_own_pages_do_not_link_to_a_profile_they_do_not_have(client):
    editor = UserFactory(username="edlogin7", groups=["Editors"])
    client.force_login(editor)
    html = client.get("/").content.decode()
    assert "/people/" not in html
    assert '<span class="account-links__name">' in html
    html = client.get(reverse("accounts_profile")).content.decode()
    assert "/people/" not in html and "Staff accounts have no public profile" in html


def test_nameless_readers_are_still_shown_by_username(client):
    # Readers' usernames come from their display name at sign-up and their
    # profile URL is public anyway; only staff usernames are withheld.
    post = live_post()
    add_comment(post, nameless("plainreader"), body="Hello")
    html = client.get(post.url).content.decode()
    assert "plainreader" in html
    assert 'href="/people/plainreader/"' in html
