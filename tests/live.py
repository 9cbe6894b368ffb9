"""Fixtures for tests that run against real servers (integration and browser).

Daphne and the Celery worker are separate processes, so these tests cannot
hide their writes in a rolled-back transaction: they use one migrated
PostgreSQL database for the session, commit for real, and give everything
they create unique names.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import servers


@pytest.fixture(scope="session")
def real_db_setup(services, django_db_blocker):
    """Migrate the session's PostgreSQL database (instead of a test copy).

    tests/integration and tests/e2e override pytest-django's django_db_setup
    with this; unit tests keep the usual throwaway SQLite database.
    """
    with django_db_blocker.unblock():
        call_command("migrate", interactive=False, verbosity=0)


@pytest.fixture
def live_db(django_db_setup, django_db_blocker):
    """Database access with real commits, visible to the other processes."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def demo_site(real_db_setup, django_db_blocker):
    """The demo content (`seed_demo`), loaded once into the session database.

    Without the AI index: tests that need indexed pages index them themselves,
    which keeps the session's setup fast.
    """
    with django_db_blocker.unblock():
        call_command("seed_demo", "--without-ai", stdout=StringIO())


@pytest.fixture(scope="session")
def email_dir():
    """Where the subprocesses write emails (file backend), one file each."""
    return Path(tempfile.mkdtemp(prefix="pressroom-mail-"))


@pytest.fixture(scope="session")
def collected_static(services):
    """A real `collectstatic` with the manifest storage production uses."""
    static_root = tempfile.mkdtemp(prefix="pressroom-static-")
    env = servers.service_env({"TEST_MANIFEST_STATIC": "1", "DJANGO_STATIC_ROOT": static_root})
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=servers.ROOT,
        env=env,
        check=True,
    )
    return static_root


@pytest.fixture(scope="session")
def service_settings_env(collected_static, email_dir):
    """Environment shared by the Daphne and Celery processes of the session."""
    return {
        "TEST_MANIFEST_STATIC": "1",
        "DJANGO_STATIC_ROOT": collected_static,
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "TEST_EMAIL_FILE_PATH": str(email_dir),
    }


@pytest.fixture(scope="session")
def daphne(django_db_setup, service_settings_env):
    """The ASGI app served by a real Daphne process on PostgreSQL and Redis."""
    server = servers.Daphne(extra_env=service_settings_env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def s3_server(services):
    """A real S3-protocol server (moto's) with one private bucket, for one
    module: its tests may stop, pause and restart it."""
    server = servers.S3(name="s3")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, service_settings_env):
    """A real Celery worker process consuming the Redis broker."""
    worker = servers.CeleryWorker(extra_env=service_settings_env)
    yield worker
    worker.stop()


@pytest.fixture
def sockets():
    """An ExitStack that closes every WebSocket a test entered into it."""
    with contextlib.ExitStack() as stack:
        yield stack


def wait_until(predicate, timeout=10.0, interval=0.1, message="condition"):
    """Poll `predicate` until it returns a truthy value; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {message}")


def read_emails(directory):
    """The raw emails the file backend wrote, oldest first."""
    files = sorted(Path(directory).glob("*.log"), key=os.path.getmtime)
    messages = []
    for path in files:
        messages.extend(chunk for chunk in path.read_text().split("-" * 79) if chunk.strip())
    return messages


def groq_env(llm_server, **extra):
    """Settings for a server whose language model is the groq SDK talking to
    the local ChatCompletionsServer (quick deadlines, no retries)."""
    return {
        "GROQ_API_KEY": "gsk_integration",
        "GROQ_BASE_URL": llm_server.base_url,
        "LLM_MODEL": "llama-integration",
        "LLM_TIMEOUT": "5",
        "LLM_MAX_RETRIES": "0",
        **extra,
    }


def publish_indexed_post(blog_slug, title, intro, paragraphs, headed=None):
    """Publish a post (under a blog index made once per slug) and index it at
    once, without queuing AI work for the workers; returns the post."""
    from ai import indexing
    from blog.models import BlogIndexPage, PostPage
    from core.switches import bulk_load
    from home.models import HomePage

    blog = BlogIndexPage.objects.filter(slug=blog_slug).first()
    if blog is None:
        blog = HomePage.objects.get().add_child(
            instance=BlogIndexPage(title=blog_slug.replace("-", " ").capitalize(), slug=blog_slug)
        )
    body = [("heading", {"text": headed, "level": "h2", "anchor": ""})] if headed else []
    body += [("paragraph", f"<p>{text}</p>") for text in paragraphs]
    post = PostPage(
        title=title,
        slug=f"{blog_slug}-{uuid.uuid4().hex[:10]}",
        intro=intro,
        body=body,
    )
    with bulk_load.suspended():
        blog.add_child(instance=post)
        post.save_revision().publish()
    indexing.index_page(post.pk)
    return post
