"""A task sent through Redis is executed by a separate Celery worker process."""

import uuid
from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page

from core.tasks import publish_scheduled_pages
from home.models import HomePage, StandardPage
from tests.live import wait_until


def test_worker_publishes_a_scheduled_page(live_db, celery_worker):
    home = HomePage.objects.get()
    page = home.add_child(
        instance=StandardPage(title="Scheduled", slug=f"sched-{uuid.uuid4().hex[:8]}", live=False)
    )
    page.go_live_at = timezone.now() + timedelta(seconds=1.5)
    page.save_revision().publish()  # a future go-live only schedules
    page.refresh_from_db()
    assert not page.live

    wait_until(lambda: timezone.now() > page.go_live_at, message="the go-live time")
    result = publish_scheduled_pages.delay()
    assert result.id

    wait_until(
        lambda: Page.objects.get(pk=page.pk).live, timeout=30, message="the worker to publish"
    )
    # The page is live once the task's transaction commits, a moment before
    # the worker logs the task's success.
    succeeded = f"Task core.tasks.publish_scheduled_pages[{result.id}] succeeded"
    wait_until(lambda: succeeded in celery_worker.proc.log(), message="the task's success")
    received = f"Task core.tasks.publish_scheduled_pages[{result.id}] received"
    assert received in celery_worker.proc.log()
