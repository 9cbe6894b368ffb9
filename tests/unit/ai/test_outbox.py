"""The AI outbox (ai/jobs.py): publishing records what the index owes a page
in the publish's own transaction; the dispatcher and the sweeper see it
done; stale and duplicate messages do nothing; a broker that is down, a
process that exits, or failing work never loses it."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from wagtail.models import Page, PageViewRestriction

from ai import embeddings, jobs, tasks
from ai.models import AITag, Chunk, IndexJob, IndexVersion
from tests.factories import BlogIndexPageFactory, PostPageFactory, heading, paragraph, publish

pytestmark = pytest.mark.django_db

INDEX, TAG = IndexJob.Kind.INDEX, IndexJob.Kind.TAG
PENDING, DONE, FAILED = IndexJob.Status.PENDING, IndexJob.Status.DONE, IndexJob.Status.FAILED

BODY = [
    heading("Rigging the boat"),
    paragraph(
        "Step the mast, run the halyards through their blocks and hank the jib on to the forestay "
        "before you leave the mooring, because the harbour is busy with ferries."
    ),
    heading("Reefing"),
    paragraph(
        "Reef early: when the wind freshens, ease the mainsheet, lower the halyard and tie the "
        "reef points along the boom so the sail keeps its shape."
    ),
]


@pytest.fixture
def ai_on(settings):
    settings.AI_INDEX_ON_PUBLISH = True
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False


@pytest.fixture
def draft(ai_on):
    blog = BlogIndexPageFactory()
    return PostPageFactory(parent=blog, title="Sailing a dinghy", body=BODY, live=False)


def job(page, kind=INDEX):
    return IndexJob.objects.get(page_id=page.pk, kind=kind)


def make_due(page):
    """As if the job's retry delay had passed."""
    IndexJob.objects.filter(page_id=page.pk).update(due_at=timezone.now() - timedelta(seconds=1))


def test_publishing_records_both_jobs_before_the_commit_and_does_them_after(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = publish(draft)
        # Inside the publish's transaction: owed, not yet done.
        owed = {row.kind: row for row in IndexJob.objects.filter(page_id=post.pk)}
        assert set(owed) == {INDEX, TAG}
        assert {row.status for row in owed.values()} == {PENDING}
        assert {row.revision_id for row in owed.values()} == {post.live_revision_id}
        assert not Chunk.objects.filter(page_id=post.pk).exists()
    for callback in callbacks:
        callback()
    index_job, tag_job = job(post), job(post, TAG)
    assert (index_job.status, index_job.outcome, index_job.attempts) == (DONE, "indexed", 1)
    assert index_job.chunks == Chunk.objects.filter(page_id=post.pk).count() > 0
    assert index_job.finished_at is not None and index_job.claimed_until is None
    assert (tag_job.status, tag_job.outcome) == (DONE, AITag.Source.KEYPHRASE)
    assert AITag.objects.filter(page_id=post.pk, source=AITag.Source.KEYPHRASE).exists()


def test_a_publish_that_rolls_back_owes_nothing(draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(draft)
        raise RuntimeError("the editor's transaction fails later on")
    assert not IndexJob.objects.filter(page_id=draft.pk).exists()


def test_duplicate_and_stale_messages_do_nothing(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(draft)
    first_revision = post.live_revision_id
    version = IndexVersion.current()
    # A duplicate of the message that did the work.
    assert tasks.index_page(post.pk, first_revision) is None
    assert job(post).attempts == 1 and IndexVersion.current() == version

    # A newer revision is recorded; a late message for the old one is stale.
    with django_capture_on_commit_callbacks(execute=False):
        post.title = "Sailing a dinghy in a breeze"
        post = publish(post)
    assert tasks.index_page(post.pk, first_revision) is None
    assert (job(post).status, job(post).revision_id) == (PENDING, post.live_revision_id)
    assert tasks.index_page(post.pk, post.live_revision_id) == "indexed"
    assert {chunk.revision_id for chunk in Chunk.objects.filter(page_id=post.pk)} == {
        post.live_revision_id
    }


def test_unpublish_move_and_restriction_are_recorded_and_done(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(draft)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=post.get_parent(), restriction_type="login")
    assert (job(post).status, job(post).outcome) == (DONE, "removed")
    assert not Chunk.objects.filter(page_id=post.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=post.get_parent()).delete()
    assert job(post).outcome == "indexed" and Chunk.objects.filter(page_id=post.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    assert (job(post).status, job(post).revision_id, job(post).outcome) == (DONE, None, "removed")


def test_deleting_a_restricted_live_page_leaves_no_job_behind(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(draft)
        PageViewRestriction.objects.create(page=post, restriction_type="login")
    page_id = post.pk
    with django_capture_on_commit_callbacks(execute=True):
        Page.objects.get(pk=page_id).delete()
    assert not IndexJob.objects.filter(page_id=page_id).exists()
    assert not Chunk.objects.filter(page_id=page_id).exists()


def test_a_broker_that_is_down_at_publish_leaves_the_job_due_for_the_sweeper(
    draft, django_capture_on_commit_callbacks, monkeypatch, ai_job_log
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.index_page, "apply_async", broker_down)
        patch.setattr(tasks.tag_page, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            post = publish(draft)  # must not raise
    assert Page.objects.get(pk=post.pk).live
    assert {row.status for row in IndexJob.objects.filter(page_id=post.pk)} == {PENDING}
    assert all(row.due_at <= timezone.now() for row in IndexJob.objects.filter(page_id=post.pk))
    assert any("not sent" in record.getMessage() for record in ai_job_log)
    # The broker is back: the sweeper sends both, and they are done.
    assert jobs.sweep() == 2
    assert (job(post).status, job(post, TAG).status) == (DONE, DONE)
    assert Chunk.objects.filter(page_id=post.pk).exists()


def test_a_short_lived_process_only_records_and_a_server_sweep_does_the_work(
    draft, settings, django_capture_on_commit_callbacks
):
    # `manage.py shell` in the embedded mode: no embedded worker runs here.
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    assert jobs.dispatch_mode() == jobs.SWEEPER_ONLY
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(draft)
    assert job(post).status == PENDING and job(post).due_at <= timezone.now()
    assert not Chunk.objects.filter(page_id=post.pk).exists()
    # The serving process's next sweep.
    assert jobs.sweep() == 2
    assert job(post).status == DONE and Chunk.objects.filter(page_id=post.pk).exists()
    assert jobs.sweep() == 0  # nothing is done twice


def test_the_sweeper_skips_jobs_a_live_worker_holds_and_takes_abandoned_ones(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        post = publish(draft)
    now = timezone.now()
    IndexJob.objects.filter(page_id=post.pk).update(
        due_at=now - timedelta(seconds=1), claimed_until=now + timedelta(minutes=5)
    )
    assert jobs.sweep() == 0  # a worker is on it
    # That worker died: its claim ran out.
    IndexJob.objects.filter(page_id=post.pk).update(claimed_until=now - timedelta(seconds=1))
    assert jobs.sweep() == 2
    assert job(post).status == DONE and job(post).attempts == 1


def test_failing_work_backs_off_then_fails_with_its_error(
    draft, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks, ai_job_log
):
    settings.EMBEDDING_MODEL = str(tmp_path)  # not a model directory
    monkeypatch.setattr(embeddings, "_embedder", None)
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(draft)
    failed = job(post)
    assert (failed.status, failed.attempts) == (PENDING, 1)
    assert "not a sentence-transformers directory" in failed.last_error
    assert failed.due_at > timezone.now()  # later, not in a hot loop
    assert jobs.sweep() == 0
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        make_due(post)
        jobs.sweep()
    given_up = job(post)
    assert (given_up.status, given_up.attempts) == (FAILED, jobs.MAX_ATTEMPTS)
    make_due(post)
    assert jobs.sweep() == 0  # failed jobs wait for an editor's retry (or a new revision)
    errors = [record.getMessage() for record in ai_job_log if record.levelname == "ERROR"]
    assert any("giving up" in message and str(post.pk) in message for message in errors)
    monkeypatch.setattr(embeddings, "_embedder", None)


def test_a_newer_request_during_a_run_is_taken_on_by_that_run(
    draft, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        post = publish(draft)
    first = post.live_revision_id
    runs = []

    def work(page_id):
        runs.append(page_id)
        if len(runs) == 1:  # the editor publishes again while this runs
            with django_capture_on_commit_callbacks(execute=False):
                post.title = "Sailing a dinghy, revised"
                publish(post)
        return "indexed", 1, ""

    assert jobs.run_job(jobs.JobRef(post.pk, INDEX, first), work) == "indexed"
    assert len(runs) == 2
    latest = Page.objects.get(pk=post.pk).live_revision_id
    assert (job(post).status, job(post).revision_id) == (DONE, latest)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_a_serving_embedded_process_work_runs_on_the_background_thread(settings, monkeypatch):
    from config import celery_tasks

    settings.AI_INDEX_ON_PUBLISH = True
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    # As `make run` after start_embedded_worker() (without its periodic thread).
    monkeypatch.setattr(celery_tasks, "_embedded_worker", object())
    assert jobs.dispatch_mode() == jobs.BACKGROUND
    post = publish(
        PostPageFactory(parent=BlogIndexPageFactory(), title="Tides", body=BODY, live=False)
    )  # autocommit: dispatched at once, to the background thread
    celery_tasks.background_executor().submit(lambda: None).result(timeout=120)
    assert (job(post).status, job(post, TAG).status) == (DONE, DONE)
    assert Chunk.objects.filter(page_id=post.pk).exists()
