"""`manage.py reindex`: stores each page as its batch is embedded, counts
stored pages and chunks on its progress bar, records pages with nothing to
index as done (not pending forever), and reports an unreachable database in
one line."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ai.models import Chunk, IndexJob, PageVector
from tests.factories import BlogIndexPageFactory, PostPageFactory, paragraph, publish

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def posts(db):
    blog = BlogIndexPageFactory(intro="")
    texts = [
        "The lighthouse keeper trims the wick at dusk and winds the clockwork every four hours.",
        "Fog signals sound twice a minute when the visibility drops below two nautical miles.",
        "Supply boats reach the rock on calm days only, so the store room holds a month of food.",
    ]
    return [
        publish(PostPageFactory(parent=blog, title=f"Lighthouse {n}", body=[paragraph(text)]))
        for n, text in enumerate(texts)
    ]


def run_reindex(*args):
    out, err = StringIO(), StringIO()
    call_command("reindex", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_progress_counts_stored_pages_and_chunks(posts):
    out, err = run_reindex("--batch-size", "2", "-v", "2")
    stored_chunks = Chunk.objects.count()
    pages = int(out.split(" live public pages")[0])
    # The bar's last state: every page stored, with the chunks written so far.
    assert f"{pages}/{pages}" in err and f"{stored_chunks} chunks stored" in err
    for post in posts:
        count = Chunk.objects.filter(page_id=post.pk).count()
        assert f"stored page {post.pk}: {count} chunks" in out
    assert f"Indexed {pages} pages, {stored_chunks} chunks" in out


@pytest.mark.django_db
def test_pages_with_nothing_to_index_are_done_with_no_chunks_not_pending_forever(posts):
    out, _ = run_reindex("--no-progress")
    assert "0 up to date" in out
    blog = posts[0].get_parent().specific
    job = IndexJob.objects.get(page_id=blog.pk, kind=IndexJob.Kind.INDEX)
    assert (job.status, job.chunks) == (IndexJob.Status.DONE, 0)
    assert not PageVector.objects.filter(page_id=blog.pk).exists()
    out, _ = run_reindex("--no-progress")
    assert "0 to index" in out and "Indexed 0 pages" in out
    # A new revision of it is owed again.
    blog.intro = "Stories from the rock, told by the people who kept its light."
    publish(blog)
    out, _ = run_reindex("--no-progress")
    assert "1 to index" in out


def test_an_unreachable_database_is_one_clear_line_and_a_failure_exit():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgresql://pressroom@127.0.0.1:9/pressroom",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "reindex", "--no-progress"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: The database at 127.0.0.1:9 is unreachable")
    assert "127.0.0.1" in lines[0]
