"""One name per account: the profile's display name is what the site shows
and what Wagtail's admin shows (get_full_name, and the sidebar's first name),
whichever side it was changed on."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from wagtail.admin.forms.account import NameEmailForm
from wagtail.admin.ui.sidebar import MainMenuModule
from wagtail.admin.utils import get_user_display_name

from accounts.models import Profile
from accounts.profiles import profile_for, public_name, update_profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_display_name_is_the_name_in_the_admin_too():
    user = UserFactory(username="author", first_name="Arthur", last_name="Author")
    update_profile(profile_for(user), display_name="Tomasz Wierzbicki", bio="")
    user.refresh_from_db()
    assert public_name(user) == "Tomasz Wierzbicki"
    assert get_user_display_name(user) == "Tomasz Wierzbicki"
    # The admin sidebar's account menu shows the first name: its first word.
    assert MainMenuModule([], [], user).js_args()[2]["name"] == "Tomasz"


def test_the_signed_in_header_and_the_admin_agree():
    user = UserFactory(username="editor", first_name="Edith", last_name="Editor", is_staff=True)
    Profile.objects.create(user=user, display_name="Maren Holt")
    client = Client()
    client.force_login(user)
    html = client.get("/notifications/").content.decode()
    assert '<span class="account-links__name">Maren Holt</span>' in html
    user.refresh_from_db()
    assert get_user_display_name(user) == "Maren Holt"


def test_renaming_in_wagtail_account_settings_renames_the_profile():
    user = UserFactory(username="mona", first_name="Mona", last_name="M")
    Profile.objects.create(user=user, display_name="Mona M")
    form = NameEmailForm(
        {"first_name": "Mona", "last_name": "Moderator", "email": user.email}, instance=user
    )
    assert form.is_valid(), form.errors
    form.save()
    assert Profile.objects.get(user=user).display_name == "Mona Moderator"
    assert public_name(type(user).objects.get(pk=user.pk)) == "Mona Moderator"


def test_a_login_leaves_names_alone():
    user = UserFactory(username="rita", first_name="Rita", last_name="Reader")
    Profile.objects.create(user=user, display_name="Rita R.")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Rita", "R.")
    Profile.objects.filter(user=user).update(display_name="Changed elsewhere")
    Client().force_login(user)  # saves last_login only
    assert Profile.objects.get(user=user).display_name == "Changed elsewhere"


def test_the_migration_gives_existing_accounts_their_display_name():
    user = UserFactory(username="old", first_name="Arthur", last_name="Author")
    Profile.objects.create(user=user, display_name="placeholder")
    Profile.objects.filter(user=user).update(display_name="Tomasz  Wierzbicki")  # no signal
    plain = UserFactory(username="plain", first_name="Sam", last_name="Shopkeeper")
    migration = importlib.import_module("accounts.migrations.0002_one_account_name")
    migration.one_name_per_account(apps, None)
    user.refresh_from_db()
    plain.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Tomasz", "Wierzbicki")
    assert (plain.first_name, plain.last_name) == ("Sam", "Shopkeeper")
