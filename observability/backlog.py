"""Gauges read when Prometheus scrapes: work waiting in the broker, tasks
parked during a broker outage, and AI work (the ai.IndexJob outbox) not done.

Each is a query (or a Redis LLEN) per scrape, not per request. A source that
cannot be read (database or broker down) leaves its gauge out of that
scrape rather than failing the scrape: the outage shows in other series.
"""

import logging

from celery import current_app
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from ai.models import IndexJob
from core.models import ParkedTask

logger = logging.getLogger(__name__)


def celery_queue_names(app):
    """The queues tasks are routed to: the default one and any declared."""
    names = {app.conf.task_default_queue}
    names.update(queue.name for queue in app.conf.task_queues or ())
    return sorted(names)


def celery_queue_lengths(app):
    """{queue: messages waiting} from the broker; empty without a broker."""
    if app.conf.task_always_eager:
        return {}
    lengths = {}
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for name in celery_queue_names(app):
            try:
                _, waiting, _ = channel.queue_declare(queue=name, passive=True)
            except connection.channel_errors:  # never declared: no worker yet, nothing sent
                waiting = 0
            lengths[name] = waiting
    return lengths


def ai_backlog():
    """{(kind, status): jobs} for the AI work not done: pending (queued,
    running or waiting for a retry) and failed (gave up; see the admin's AI
    index report)."""
    counts = (
        IndexJob.objects.exclude(status=IndexJob.Status.DONE)
        .values_list("kind", "status")
        .annotate(jobs=Count("pk"))
    )
    backlog = {
        (kind, status): 0
        for kind in IndexJob.Kind.values
        for status in (IndexJob.Status.PENDING, IndexJob.Status.FAILED)
    }
    backlog.update({(kind, status): jobs for kind, status, jobs in counts})
    return backlog


def parked_task_count():
    """Tasks kept in the database while the broker was unreachable."""
    return ParkedTask.objects.count()


class BacklogCollector:
    """Scrape-time gauges: Celery queue lengths, parked tasks, AI index backlog."""

    def describe(self):
        return []

    def collect(self):
        queues = GaugeMetricFamily(
            "pressroom_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        try:
            for name, waiting in celery_queue_lengths(current_app).items():
                queues.add_metric([name], waiting)
            yield queues
        except Exception as error:  # the broker is down: leave the gauge out
            logger.warning("metrics: could not read the Celery queues: %s", error)
        yield from self._database_gauge(
            "pressroom_celery_parked_tasks",
            "Tasks parked in the database during a broker outage, waiting to be resent.",
            parked_task_count,
        )
        try:
            backlog = ai_backlog()
        except Exception as error:  # the database is down: leave the gauge out
            logger.warning("metrics: could not read the AI backlog: %s", error)
        else:
            jobs = GaugeMetricFamily(
                "pressroom_ai_index_backlog",
                "AI jobs (indexing, tagging) not done, by kind and status (pending, failed).",
                labels=["kind", "status"],
            )
            for (kind, status), count in sorted(backlog.items()):
                jobs.add_metric([kind, status], count)
            yield jobs

    def _database_gauge(self, name, documentation, read):
        try:
            value = read()
        except Exception as error:  # the database is down: leave the gauge out
            logger.warning("metrics: could not read %s: %s", name, error)
            return
        yield GaugeMetricFamily(name, documentation, value=value)
