"""The first `make run` shows how far the background AI work got: a console
bar while the serving process's sweep runs a batch, and a notice on every
admin page while jobs are pending (issue 16)."""

import pytest
from django.utils import timezone

from ai import jobs
from ai.models import IndexJob
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db

INDEX, TAG = IndexJob.Kind.INDEX, IndexJob.Kind.TAG


@pytest.fixture
def recorded(settings):
    """Five published posts whose index and tag jobs seed_demo recorded."""
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True  # seed_demo: record only
    blog = BlogIndexPageFactory()
    posts = [publish(PostPageFactory(parent=blog, title=f"Tide tables {n}")) for n in range(5)]
    pairs = [(post.pk, post.live_revision_id) for post in posts]
    jobs.record(pairs, [INDEX])
    jobs.record(pairs, [TAG])
    return posts


def finish_index_jobs():
    IndexJob.objects.filter(kind=INDEX).update(
        status=IndexJob.Status.DONE, finished_at=timezone.now()
    )


def test_progress_counts_the_batch_until_nothing_is_pending(recorded):
    assert jobs.progress() == jobs.Progress(done=0, total=10)
    finish_index_jobs()
    assert jobs.progress() == jobs.Progress(done=5, total=10)
    IndexJob.objects.update(status=IndexJob.Status.DONE, finished_at=timezone.now())
    assert jobs.progress() is None


def test_every_admin_page_shows_the_notice_while_work_is_pending(client, recorded):
    finish_index_jobs()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for path in ("/admin/", "/admin/pages/"):
        body = " ".join(client.get(path).content.decode().split())
        assert "AI indexing 5 of 10 done" in body, path
        assert 'href="/admin/reports/ai-index/"' in body
    IndexJob.objects.update(status=IndexJob.Status.DONE, finished_at=timezone.now())
    assert "data-ai-index-progress" not in client.get("/admin/").content.decode()


def test_a_sweep_running_the_batch_on_the_serving_process_shows_a_console_bar(
    recorded, monkeypatch, capsys
):
    IndexJob.objects.filter(kind=INDEX).delete()  # tag jobs only: no embedding model
    # The serving process of `make run`: the sweep runs the jobs right here.
    monkeypatch.setattr(jobs, "dispatch_mode", lambda: jobs.BACKGROUND)
    assert jobs.sweep() == 5
    bar = capsys.readouterr().err
    assert "AI indexing and tagging" in bar and "5/5" in bar
    assert set(IndexJob.objects.values_list("status", flat=True)) == {IndexJob.Status.DONE}
