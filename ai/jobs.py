"""The AI outbox: what the index owes each page, and the dispatcher and
sweeper that see it done.

`record()` writes an `IndexJob` row (one per page and kind, upserted in one
statement) in the transaction that published, unpublished, moved or
restricted the page: the debt exists exactly when the change does, whichever
process made it (the admin, a shell, a management command, cron). After the
commit `dispatch()` sends a Celery message per job; a broker error there is
logged and leaves the job due. `sweep()` sends every job that is due and not
done: never sent, lost with the broker or a killed worker, or failed
transiently and due for its retry. Celery beat runs it every
AI_SWEEP_INTERVAL seconds in production; in the embedded mode the serving
process does (config/celery_tasks.py), and a short-lived process without it
only records: the server's next sweep does the work.

A message carries the page and the revision its job was recorded for.
`run_job()` first claims the job (a lease, not a lock) and does nothing when
the message is stale (another revision was recorded since), a duplicate (the
job is done) or held by another worker. The claim lasts halfway between the
task's hard time limit and the broker's visibility timeout, so a running
task is never taken twice, and a message redelivered after its worker died
finds the claim expired. The work itself (`ai.indexing.index_page`,
`ai.tagging.tag_live_revision`) always brings the page in line with its
current live revision, so running it twice is harmless.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from tqdm import tqdm
from wagtail.models import Page

from ai.models import IndexJob

logger = logging.getLogger(__name__)

Kind = IndexJob.Kind
Status = IndexJob.Status

MAX_ATTEMPTS = 5  # runs that raised before a job is marked failed
RETRY_BACKOFF = timedelta(minutes=1)  # doubled after each failed attempt
SWEEP_LIMIT = 500  # jobs sent per sweep; the next sweep sends the rest
PROGRESS_MIN_JOBS = 5  # a sweep running at least this many jobs here shows a console bar
FOLLOW_LIMIT = 3  # newer requests one run takes on before leaving them to the sweeper


@dataclass(frozen=True)
class JobRef:
    """What a message names: a page, a kind of work, the revision it is for."""

    page_id: int
    kind: str
    revision_id: int | None


def claim_lease():
    """How long a claim (or a sent, unstarted message) holds a job."""
    seconds = (settings.CELERY_TASK_TIME_LIMIT + settings.CELERY_VISIBILITY_TIMEOUT) / 2
    return timedelta(seconds=seconds)


# Dispatching ------------------------------------------------------------------

BROKER, INLINE, BACKGROUND, SWEEPER_ONLY = "broker", "inline", "background", "sweeper"


def dispatch_mode():
    """How work recorded in this process reaches a worker.

    broker: a Celery message (production). inline: run right after the commit
    (no broker and no background thread: tests). background: on this serving
    process's background thread (`make run`). sweeper: nowhere yet, this
    process is short-lived and the server's next sweep does it.
    """
    from config.celery_app import app
    from config.celery_tasks import embedded_worker_running

    if not app.conf.task_always_eager:
        return BROKER
    if not settings.EMBEDDED_TASKS_IN_BACKGROUND:
        return INLINE
    return BACKGROUND if embedded_worker_running() else SWEEPER_ONLY


def record(pages, kinds):
    """Record, in the current transaction, that the AI owes `pages` (pairs of
    page id and revision id) the work `kinds`; dispatch it after the commit.
    One write, whatever the number of pages."""
    now = timezone.now()
    mode = dispatch_mode()
    # A job about to be sent is not due for the sweeper until its message had
    # time to run; one nobody sends is due at once.
    due_at = now if mode == SWEEPER_ONLY else now + claim_lease()
    refs = [JobRef(page_id, kind, revision_id) for page_id, revision_id in pages for kind in kinds]
    if not refs:
        return []
    IndexJob.objects.bulk_create(
        [
            IndexJob(
                page_id=ref.page_id,
                kind=ref.kind,
                revision_id=ref.revision_id,
                status=Status.PENDING,
                attempts=0,
                last_error="",
                due_at=due_at,
                requested_at=now,
            )
            for ref in refs
        ],
        update_conflicts=True,
        unique_fields=["page", "kind"],
        update_fields=["revision", "status", "attempts", "last_error", "due_at", "requested_at"],
    )
    if mode != SWEEPER_ONLY:
        # robust: nothing after the commit may raise into the publish.
        transaction.on_commit(lambda: dispatch(refs), robust=True)
    return refs


def record_subtree(page_id):
    """Record an index check for a page and its live descendants (a move or a
    privacy change affects them all)."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    pages = Page.objects.descendant_of(page, inclusive=True).filter(live=True)
    record(pages.values_list("pk", "live_revision_id"), [Kind.INDEX])


def dispatch(refs):
    """Send the jobs to their workers; never raises (unsent jobs stay due)."""
    mode = dispatch_mode()
    if mode == SWEEPER_ONLY:
        return
    if mode == BACKGROUND:
        from config.celery_tasks import run_in_background

        run_in_background(lambda: send(refs))
        return
    send(refs)


# The tasks (ai/tasks.py) run jobs through this module, so they are found by
# name in Celery's registry, which autodiscovery fills from every app's tasks.
TASK_NAMES = {Kind.INDEX: "ai.tasks.index_page", Kind.TAG: "ai.tasks.tag_page"}


def task_for(kind):
    """The Celery task that does one kind of job."""
    from config.celery_app import app

    return app.tasks[TASK_NAMES[kind]]


def send(refs, progress=None):
    """Put one message per job on its queue (or, eagerly, run it). A broker
    error is logged once and the unsent jobs are made due for the sweeper.
    `progress` (a tqdm bar) advances per job. Returns how many were sent."""
    for position, ref in enumerate(refs):
        try:
            # No publish retries: a broker that is down now is the sweeper's
            # business, not a reason to hold up the committing request.
            task_for(ref.kind).apply_async((ref.page_id, ref.revision_id), retry=False)
        except Exception as error:
            unsent = refs[position:]
            logger.warning(
                "AI work for %d page(s) not sent (%s); the sweeper will send it", len(unsent), error
            )
            make_due(unsent)
            return position
        if progress is not None:
            progress.update()
    return len(refs)


def make_due(refs):
    """Make jobs due for the sweeper now (best effort: it is a fallback)."""
    try:
        for kind in {ref.kind for ref in refs}:
            page_ids = [ref.page_id for ref in refs if ref.kind == kind]
            IndexJob.objects.filter(kind=kind, page_id__in=page_ids, status=Status.PENDING).update(
                due_at=timezone.now()
            )
    except DatabaseError as error:
        logger.warning("Could not mark AI jobs due (%s); their lease will expire", error)


# Sweeping ---------------------------------------------------------------------


def due_jobs():
    """Jobs that should be sent now: pending, due, and held by no worker."""
    now = timezone.now()
    return IndexJob.objects.filter(status=Status.PENDING, due_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def sweep(limit=SWEEP_LIMIT):
    """Send every job that is due and not done; returns how many were sent."""
    rows = list(
        due_jobs().order_by("due_at").values_list("pk", "page_id", "kind", "revision_id")[:limit]
    )
    if not rows:
        return 0
    # Not due again until the messages had time to run (a duplicate would be
    # harmless, but a queue full of them is not).
    IndexJob.objects.filter(pk__in=[row[0] for row in rows]).update(
        due_at=timezone.now() + claim_lease()
    )
    refs = [JobRef(page_id, kind, revision_id) for _, page_id, kind, revision_id in rows]
    if len(refs) >= PROGRESS_MIN_JOBS and dispatch_mode() == BACKGROUND:
        # The work runs here, one job after another (the first `make run`):
        # show how far it got on the console.
        with tqdm(total=len(refs), desc="AI indexing and tagging", unit="job") as progress:
            sent = send(refs, progress)
    else:
        sent = send(refs)
    logger.info("AI sweep: %d of %d due job(s) sent", sent, len(refs))
    return sent


def retry(job):
    """Make a job (typically failed) pending again now, with fresh attempts,
    and dispatch it after the commit."""
    return record([(job.page_id, job.revision_id)], [job.kind])


# Running ----------------------------------------------------------------------


def claim(ref):
    """Take the job for `ref` if it is still owed and nobody holds it; returns
    the job's request time (its version) or None."""
    now = timezone.now()
    job = (
        IndexJob.objects.filter(
            page_id=ref.page_id, kind=ref.kind, revision_id=ref.revision_id, status=Status.PENDING
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .values("pk", "requested_at")
        .first()
    )
    if job is None:
        return None
    lease_end = now + claim_lease()
    taken = (
        IndexJob.objects.filter(pk=job["pk"], requested_at=job["requested_at"])
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=lease_end, due_at=lease_end, attempts=F("attempts") + 1)
    )
    return job["requested_at"] if taken else None


def finish(ref, version, outcome, chunks=None, note=""):
    """Mark the job done, unless a newer request came in while it ran (then
    the claim is released and False returned)."""
    done = IndexJob.objects.filter(
        page_id=ref.page_id, kind=ref.kind, requested_at=version, status=Status.PENDING
    ).update(
        status=Status.DONE,
        claimed_until=None,
        finished_at=timezone.now(),
        outcome=outcome,
        chunks=chunks,
        last_error=note,
    )
    if not done:
        release(ref)
    return bool(done)


def fail(ref, version, error):
    """Record a failed run: due again after a growing delay, or failed for
    good after MAX_ATTEMPTS."""
    now = timezone.now()
    job = IndexJob.objects.filter(page_id=ref.page_id, kind=ref.kind, requested_at=version).first()
    if job is None:  # re-requested meanwhile: the new request starts afresh
        release(ref)
        return
    message = f"{type(error).__name__}: {error}"[:2000]
    gave_up = job.attempts >= MAX_ATTEMPTS
    IndexJob.objects.filter(pk=job.pk, requested_at=version).update(
        status=Status.FAILED if gave_up else Status.PENDING,
        claimed_until=None,
        last_error=message,
        due_at=now + RETRY_BACKOFF * 2 ** (job.attempts - 1),
    )
    log = logger.error if gave_up else logger.warning
    log(
        "AI %s job for page %s failed (attempt %d of %d%s): %s",
        ref.kind,
        ref.page_id,
        job.attempts,
        MAX_ATTEMPTS,
        ", giving up" if gave_up else "",
        message,
    )


def release(ref):
    """Let go of a claim and make the job due at once (a newer request whose
    message found the job held is then sent by the next sweep)."""
    IndexJob.objects.filter(page_id=ref.page_id, kind=ref.kind).update(
        claimed_until=None, due_at=timezone.now()
    )


def current_ref(page_id, kind):
    """The job's present request, if it is still pending."""
    revisions = list(
        IndexJob.objects.filter(page_id=page_id, kind=kind, status=Status.PENDING).values_list(
            "revision_id", flat=True
        )
    )
    return JobRef(page_id, kind, revisions[0]) if revisions else None


def run_job(ref, work):
    """Do the job `ref` names with `work(page_id)` if it is still owed, and
    record how it went. `work` returns (outcome, chunks, note). Returns the
    outcome, or None when there was nothing to do (stale, duplicate, held)."""
    outcome = None
    for _ in range(FOLLOW_LIMIT):
        version = claim(ref)
        if version is None:
            return outcome
        try:
            outcome, chunks, note = work(ref.page_id)
        except Exception as error:
            fail(ref, version, error)
            return None
        if finish(ref, version, outcome, chunks, note):
            return outcome
        # The page changed again while this ran: take on the new request.
        ref = current_ref(ref.page_id, ref.kind)
        if ref is None:
            return outcome
    return outcome


def record_done(page_id, kind, revision_id, outcome, chunks=None, note=""):
    """Record work done outside a job (reindex, the demo loader) as done for
    `revision_id`, unless a request for another revision is pending."""
    now = timezone.now()
    pending_elsewhere = (
        IndexJob.objects.filter(page_id=page_id, kind=kind, status=Status.PENDING)
        .exclude(revision_id=revision_id)
        .exists()
    )
    if pending_elsewhere:
        return
    IndexJob.objects.update_or_create(
        page_id=page_id,
        kind=kind,
        defaults={
            "revision_id": revision_id,
            "status": Status.DONE,
            "attempts": 0,
            "last_error": note,
            "outcome": outcome,
            "chunks": chunks,
            "due_at": now,
            "claimed_until": None,
            "requested_at": now,
            "finished_at": now,
        },
    )


# Progress ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How much of the work outstanding since the oldest pending job is done."""

    done: int
    total: int


def progress():
    """The outbox's progress while jobs are pending (None when nothing is):
    the pending jobs plus those finished since the oldest pending one was
    requested (a batch such as the demo's, recorded together)."""
    pending = IndexJob.objects.filter(status=Status.PENDING)
    oldest = pending.order_by("requested_at").values_list("requested_at", flat=True).first()
    if oldest is None:
        return None
    done = IndexJob.objects.filter(status=Status.DONE, finished_at__gte=oldest).count()
    return Progress(done=done, total=done + pending.count())
