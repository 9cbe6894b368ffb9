"""Celery tasks of the AI pipeline. They take primary keys and do the page's
outstanding `IndexJob` (ai/jobs.py): a stale or duplicate message does
nothing, a failure is recorded on the job, which the sweeper sends again
after a growing delay; none of them can fail or slow down the publish that
recorded them. `tag_page` runs on the `llm` queue (CELERY_TASK_ROUTES), so a
slow language model never holds up indexing, emails or notifications."""

import logging

from celery import shared_task

from ai import indexing, jobs, tagging
from ai.models import IndexJob
from config.celery_tasks import PressroomTask

logger = logging.getLogger(__name__)


def index_work(page_id):
    """Bring the page's chunks in line with its live revision (or remove them)."""
    result = indexing.index_page(page_id)
    logger.info("index_page %s: %s (%d chunks)", page_id, result.outcome, result.chunks)
    return result.outcome.value, result.chunks, ""


def tag_work(page_id):
    """Suggest tags for the page's live revision; the note says why the
    language model's tags were not used, if they were not."""
    result = tagging.tag_live_revision(page_id)
    logger.info(
        "tag_page %s: %d new suggestions from %s", page_id, len(result.created), result.source
    )
    return result.source or "nothing", None, result.provider_error


@shared_task(base=PressroomTask, ignore_result=True)
def index_page(page_id, revision_id=None):
    """Index the page, if its index job for `revision_id` is still owed."""
    return jobs.run_job(jobs.JobRef(page_id, IndexJob.Kind.INDEX, revision_id), index_work)


@shared_task(base=PressroomTask, ignore_result=True)
def tag_page(page_id, revision_id=None):
    """Tag the page, if its tag job for `revision_id` is still owed."""
    return jobs.run_job(jobs.JobRef(page_id, IndexJob.Kind.TAG, revision_id), tag_work)


@shared_task(base=PressroomTask, ignore_result=True)
def sweep():
    """Send the AI work that is due and not done (beat, every AI_SWEEP_INTERVAL s)."""
    return jobs.sweep()


# Messages of the earlier pipeline still queued at an upgrade: record the
# same debt as the receivers do now.


@shared_task(base=PressroomTask, ignore_result=True)
def unindex_page(page_id):
    """Re-check a page that left the public site (now an index job)."""
    jobs.record_subtree(page_id)


@shared_task(base=PressroomTask, ignore_result=True)
def reindex_subtree(page_id):
    """Re-check a page and its descendants (now index jobs)."""
    jobs.record_subtree(page_id)
