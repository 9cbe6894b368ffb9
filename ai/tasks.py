"""Celery tasks of the AI pipeline. They take primary keys, are idempotent,
retry transient failures with exponential backoff and jitter, and log a final
failure; none of them can fail or slow down the publish that queued them."""

import logging

from celery import shared_task
from django.db import DatabaseError

from ai import indexing, tagging
from ai.llm import LLMError
from config.celery_tasks import PressroomTask

logger = logging.getLogger(__name__)


class TransientLLMError(Exception):
    """A retryable language-model failure (rate limit, timeout, 5xx)."""


RETRY_ON = (DatabaseError, ConnectionError, TimeoutError, TransientLLMError)


class AITask(PressroomTask):
    """Logs the final failure once retries are exhausted (and, like every
    project task, offers delay_on_commit)."""

    autoretry_for = RETRY_ON
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 5

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error(
            "AI task %s%s gave up after %d attempts: %s",
            self.name,
            tuple(args),
            self.request.retries + 1,
            exc,
        )


@shared_task(base=AITask, ignore_result=True)
def index_page(page_id, revision_id=None):
    """Chunk, embed and store the page's live revision (or remove it if hidden)."""
    result = indexing.index_page(page_id, revision_id)
    logger.info("index_page %s: %s (%d chunks)", page_id, result.outcome, result.chunks)
    return result.outcome.value


@shared_task(base=AITask, ignore_result=True)
def tag_page(page_id, revision_id=None):
    """Suggest tags for the page's live revision."""
    try:
        created = tagging.tag_page(page_id, revision_id)
    except LLMError as error:
        if error.retryable:
            raise TransientLLMError(error.message) from error
        raise
    logger.info("tag_page %s: %d new suggestions", page_id, len(created))
    return created


@shared_task(base=AITask, ignore_result=True)
def unindex_page(page_id):
    """Remove a page from the index."""
    return indexing.unindex_page(page_id)


@shared_task(base=AITask, ignore_result=True)
def reindex_subtree(page_id):
    """Re-check a page and its descendants (after a move or a privacy change)."""
    for descendant_id in indexing.subtree_page_ids(page_id):
        indexing.index_page(descendant_id)
