"""Accounts' Django permissions, remembered between requests.

Django's ModelBackend reads an account's permissions in two queries, once per
request that asks, and every page asks: Wagtail's user bar checks
`wagtailadmin.access_admin` for each signed-in reader. `RememberedPermissionsBackend`,
first in AUTHENTICATION_BACKENDS, answers from the shared cache and leaves the
set where ModelBackend keeps its own per-request copy (`user._perm_cache`), so
the backends after it ask the database nothing.

A remembered set is valid for one permissions version, which any change to
an account's groups or permissions, a group's permissions, a group or a
permission bumps (now and again after the commit, so a request that read the
old rows in between cannot keep them). The superuser flag is part of the key
and an inactive account has no permissions, as in ModelBackend. When the
cache is unreachable every lookup misses and ModelBackend reads the database.
"""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.after_commit import after_commit

VERSION_KEY = "pressroom:permissions-version"
REMEMBER_SECONDS = 60 * 60


def _user_key(user):
    return f"pressroom:permissions:{user.pk}:{int(user.is_superuser)}"


def remembered_permissions(user):
    """`user`'s permission names ("app_label.codename"), from the cache when
    they were stored under the current permissions version."""
    user_key = _user_key(user)
    found = cache.get_many([VERSION_KEY, user_key])
    version = found.get(VERSION_KEY)
    entry = found.get(user_key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    permissions = ModelBackend().get_all_permissions(user)
    if version is not None:
        cache.set(user_key, (version, frozenset(permissions)), REMEMBER_SECONDS)
    return permissions


def bump_permissions_version(**kwargs):
    """Forget every remembered permission set (a receiver: takes any signal's arguments)."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def bump_now_and_after_commit(**kwargs):
    bump_permissions_version()
    after_commit(bump_permissions_version)


class RememberedPermissionsBackend:
    """Answers permission checks from the remembered set; authenticates no one.

    It has no `get_user`, so Django never records it as an account's backend
    (a session naming it would sign its reader out)."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(remembered_permissions(user_obj))
        return user_obj._perm_cache


def connect_receivers():
    """Bump the permissions version on every change that alters a permission set."""
    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            bump_now_and_after_commit,
            sender=through,
            dispatch_uid=f"accounts.permissions.{through._meta.label}",
        )
    for model in (Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(
                bump_now_and_after_commit,
                sender=model,
                dispatch_uid=f"accounts.permissions.{model._meta.label}.{id(signal)}",
            )
