"""Migrations, pgvector and Wagtail publishing on a real PostgreSQL 18."""

import uuid

from django.db import connection
from wagtail.models import Page

from home.models import HomePage, StandardPage


def test_runs_on_postgresql_with_pgvector(live_db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        (version,) = cursor.fetchone()
        cursor.execute("SELECT '[1,2,3]'::vector <=> '[1,2,4]'::vector")
        (distance,) = cursor.fetchone()
    assert version.startswith("0.")
    assert 0 < distance < 0.01


def test_every_migration_is_applied(live_db):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_a_page_is_created_and_published(live_db):
    home = HomePage.objects.get()
    slug = f"pg-{uuid.uuid4().hex[:8]}"
    page = home.add_child(
        instance=StandardPage(title="Published on PostgreSQL", slug=slug, live=False)
    )
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.live
    assert page.live_revision_id is not None
    assert Page.objects.live().filter(slug=slug).exists()
