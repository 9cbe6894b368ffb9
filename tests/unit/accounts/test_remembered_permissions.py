"""Permission checks come from the shared cache between requests, and every
change to groups or permissions is seen by the next check."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.community import live_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCESS_ADMIN = "wagtailadmin.access_admin"


def fresh(user):
    """The account as the next request loads it (no per-request permission copy)."""
    return get_user_model().objects.get(pk=user.pk)


def admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def test_a_second_request_checks_permissions_without_queries():
    user = UserFactory()
    assert not fresh(user).has_perm(ACCESS_ADMIN)
    account = fresh(user)
    with CaptureQueriesContext(connection) as captured:
        assert not account.has_perm(ACCESS_ADMIN)
        assert not account.has_perm("community.change_comment")
    assert captured.captured_queries == []


def test_joining_and_leaving_a_group_and_group_permission_changes_are_seen_at_once():
    user = UserFactory()
    editors = Group.objects.create(name="Remembered editors")
    assert not fresh(user).has_perm(ACCESS_ADMIN)

    user.groups.add(editors)
    assert not fresh(user).has_perm(ACCESS_ADMIN)  # the group has no permission yet
    editors.permissions.add(admin_access())
    assert fresh(user).has_perm(ACCESS_ADMIN)
    editors.permissions.remove(admin_access())
    assert not fresh(user).has_perm(ACCESS_ADMIN)

    editors.permissions.add(admin_access())
    assert fresh(user).has_perm(ACCESS_ADMIN)
    user.groups.remove(editors)
    assert not fresh(user).has_perm(ACCESS_ADMIN)


def test_account_permissions_superuser_and_deactivation_are_seen_at_once():
    user = UserFactory()
    assert not fresh(user).has_perm(ACCESS_ADMIN)
    user.user_permissions.add(admin_access())
    assert fresh(user).has_perm(ACCESS_ADMIN)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert not fresh(user).has_perm(ACCESS_ADMIN)

    other = UserFactory()
    assert not fresh(other).has_perm("shop.change_order")
    get_user_model().objects.filter(pk=other.pk).update(is_superuser=True)
    assert fresh(other).has_perm("shop.change_order")
    assert "shop.change_order" in fresh(other).get_all_permissions()


def test_deleting_a_group_takes_its_permissions_away():
    user = UserFactory()
    editors = Group.objects.create(name="Short-lived editors")
    editors.permissions.add(admin_access())
    user.groups.add(editors)
    assert fresh(user).has_perm(ACCESS_ADMIN)
    editors.delete()
    assert not fresh(user).has_perm(ACCESS_ADMIN)


def test_a_reader_given_admin_access_sees_the_user_bar_on_the_next_page(client):
    post = live_post()
    reader = UserFactory()
    client.force_login(reader)
    html = client.get(post.url).content.decode()
    assert "Log out" in html and "wagtail-userbar" not in html
    reader.user_permissions.add(admin_access())
    assert "wagtail-userbar" in client.get(post.url).content.decode()


def test_a_forced_login_is_recorded_with_a_backend_that_loads_accounts(client):
    client.force_login(UserFactory())
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
