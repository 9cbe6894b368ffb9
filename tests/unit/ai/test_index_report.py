"""The AI index report in the Wagtail admin: pending and failed work with its
last error and when each page was last indexed; a retry button (a POST with
the CSRF token) for editors who may publish the page, refused to others.
/readyz does not look at this backlog."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ai.models import Chunk, IndexJob
from tests.factories import (
    BlogIndexPageFactory,
    PostPageFactory,
    UserFactory,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/ai-index/"


@pytest.fixture
def failed_job(settings):
    """A published post whose indexing failed for good (an outage, since over)."""
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    post = publish(
        PostPageFactory(
            parent=BlogIndexPageFactory(),
            title="Knots every sailor should know",
            body=[paragraph("The bowline makes a fixed loop that will not slip or jam.")],
        )
    )
    now = timezone.now()
    return IndexJob.objects.create(
        page=post,
        kind=IndexJob.Kind.INDEX,
        revision_id=post.live_revision_id,
        status=IndexJob.Status.FAILED,
        attempts=5,
        last_error="OperationalError: could not connect to server",
        due_at=now,
        requested_at=now - timedelta(minutes=30),
    )


def signed_in(groups, enforce_csrf=False):
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(UserFactory(groups=groups))
    return client


def test_editors_see_failed_work_with_its_last_error_and_a_retry_form(failed_job):
    response = signed_in(["Editors"]).get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Knots every sailor should know" in html
    assert "Failed" in html and "could not connect to server" in html
    retry_url = reverse("ai_retry_job", args=(failed_job.pk,))
    form = re.search(rf'<form method="post" action="{retry_url}">(.*?)</form>', html, re.S)
    assert form is not None
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]{20,}"', form.group(1))


def test_the_report_filters_by_status(failed_job):
    client = signed_in(["Editors"])
    done = client.get(REPORT, {"status": "done"}).content.decode()
    failed = client.get(REPORT, {"status": "failed"}).content.decode()
    assert "Knots every sailor should know" not in done
    assert "Knots every sailor should know" in failed


def test_an_editor_retries_and_the_work_is_done(failed_job, django_capture_on_commit_callbacks):
    client = signed_in(["Editors"], enforce_csrf=True)
    html = client.get(REPORT).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    url = reverse("ai_retry_job", args=(failed_job.pk,))
    assert client.post(url).status_code == 403  # no token, no retry
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == REPORT
    failed_job.refresh_from_db()
    assert (failed_job.status, failed_job.attempts, failed_job.outcome) == (
        IndexJob.Status.DONE,
        1,
        "indexed",
    )
    assert failed_job.last_error == "" and failed_job.finished_at is not None
    assert Chunk.objects.filter(page_id=failed_job.page_id).exists()
    html = client.get(REPORT).content.decode()
    assert "Done" in html and "could not connect to server" not in html


def test_authors_see_the_report_but_cannot_retry(failed_job):
    client = signed_in(["Authors"])
    html = client.get(REPORT).content.decode()
    assert "Knots every sailor should know" in html
    assert reverse("ai_retry_job", args=(failed_job.pk,)) not in html
    response = client.post(reverse("ai_retry_job", args=(failed_job.pk,)))
    # Wagtail answers a PermissionDenied in the admin with a redirect home.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    failed_job.refresh_from_db()
    assert failed_job.status == IndexJob.Status.FAILED and failed_job.attempts == 5


def test_retry_only_accepts_post(failed_job):
    response = signed_in(["Editors"]).get(reverse("ai_retry_job", args=(failed_job.pk,)))
    assert response.status_code == 405
    failed_job.refresh_from_db()
    assert failed_job.status == IndexJob.Status.FAILED


def test_readers_have_no_report(failed_job):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(REPORT)
    assert response.status_code in (302, 403)
    assert "Knots every sailor should know" not in response.content.decode()


def test_readyz_ignores_the_ai_backlog(client, failed_job):
    IndexJob.objects.create(
        page_id=failed_job.page_id,
        kind=IndexJob.Kind.TAG,
        due_at=timezone.now() - timedelta(hours=2),
        requested_at=timezone.now() - timedelta(hours=2),
    )
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "ai" not in response.json().get("checks", {})
