"""Start-up behaviour of the settings modules, checked in fresh processes."""

import os
import subprocess
import sys

import pytest

from tests.servers import ROOT

STRONG_KEY = "k" * 20 + "ABCDEFGHIJ0123456789abcdefghij"


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "AWS_"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "DJANGO_ALLOWED_HOSTS": "pressroom.example.com",
        "WAGTAILADMIN_BASE_URL": "https://pressroom.example.com",
        "DATABASE_URL": "postgres://pressroom:secret@db.example.com:5432/pressroom",
        "REDIS_URL": "redis://redis.example.com:6379/0",
    }
    env.update(overrides)
    return env


def test_production_refuses_to_start_without_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = run_manage("check", **production_env(DJANGO_DEBUG="true"))
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_manage("check", **production_env(DJANGO_SECRET_KEY="changeme"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def test_production_deploy_check_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "mysql://user@host/db"),
        ("DATABASE_URL", "postgres://user@host:notaport/db"),
        ("REDIS_URL", "http://localhost:6379"),
        ("DJANGO_DEBUG", "maybe"),
        ("CELERY_TASK_TIME_LIMIT", "ten"),
    ],
)
def test_malformed_variable_stops_startup_naming_it(variable, value):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", variable: value}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_embedded_default_needs_no_environment():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert result.returncode == 0, result.stderr
