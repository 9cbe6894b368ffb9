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


MEDIA_BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "pressroom-media",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
}

SHOW_MEDIA_STORAGE = """
from django.conf import settings
from django.core.files.storage import default_storage
from wagtail.documents.forms import get_document_form
from wagtail.documents.models import Document
from wagtail.images.forms import get_image_form
from wagtail.images.models import Image
config = default_storage.client_config
print(type(default_storage._wrapped).__name__, default_storage.querystring_auth,
      default_storage.default_acl, default_storage.file_overwrite,
      default_storage.querystring_expire)
print(config.signature_version, config.s3["addressing_style"], config.connect_timeout,
      config.read_timeout, config.retries["max_attempts"], settings.AWS_S3_RETRY_SECONDS)
print(get_image_form(Image).__mro__[1].__name__, get_document_form(Document).__mro__[1].__name__)
url = default_storage.url("documents/minutes.txt")
print(url.split("?")[0], "X-Amz-Signature=" in url)
"""


def test_a_bucket_gets_private_signed_media_with_bounded_requests():
    result = run_manage(
        "shell",
        "-c",
        SHOW_MEDIA_STORAGE,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        AWS_S3_READ_TIMEOUT="4",
        **MEDIA_BUCKET,
    )
    assert result.returncode == 0, result.stderr
    # Django's shell first says how many models it imported.
    assert result.stdout.splitlines()[-4:] == [
        "MediaBucketStorage True None False 14400",
        "s3v4 path 2.0 4.0 2 10",
        "ImageForm DocumentForm",
        "http://127.0.0.1:9/pressroom-media/documents/minutes.txt True",
    ]


SHOW_PUBLIC_MEDIA_URL = """
from django.conf import settings
from django.core.files.storage import default_storage
url = default_storage.url("images/boat.width-800.jpg")
print(url.split("?")[0], "X-Amz-Signature=" in url)
print(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"])
"""


def test_a_public_media_url_replaces_the_endpoint_and_keeps_the_signature():
    result = run_manage(
        "shell",
        "-c",
        SHOW_PUBLIC_MEDIA_URL,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        AWS_S3_PUBLIC_URL="/media-bucket/",
        **MEDIA_BUCKET,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "/media-bucket/pressroom-media/images/boat.width-800.jpg True",
        "[\"'self'\", 'data:', 'blob:']",
    ]


def test_production_with_a_bucket_passes_the_deploy_check():
    env = production_env(**{**MEDIA_BUCKET, "AWS_S3_ENDPOINT_URL": "https://media.example.com"})
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AWS_QUERYSTRING_EXPIRE", "60", "at least 7200"),
        ("AWS_QUERYSTRING_EXPIRE", "700000", "at most 604800"),
        ("AWS_S3_CONNECT_TIMEOUT", "0", "between 0 and 60"),
        ("AWS_S3_READ_TIMEOUT", "soon", "AWS_S3_READ_TIMEOUT"),
        ("AWS_S3_READ_TIMEOUT", "20", "at most 25 seconds"),
        ("AWS_S3_MAX_ATTEMPTS", "0", "at least 1"),
        ("AWS_S3_RETRY_SECONDS", "0", "at least 1"),
        ("AWS_S3_ADDRESSING_STYLE", "sideways", "AWS_S3_ADDRESSING_STYLE"),
        ("AWS_S3_PUBLIC_URL", "media.example.com", "a path or an http(s) URL"),
    ],
)
def test_a_bad_media_bucket_setting_stops_startup_naming_it(variable, value, message):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", **MEDIA_BUCKET, variable: value}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr
