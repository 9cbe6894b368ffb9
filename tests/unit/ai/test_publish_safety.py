"""AI work never fails (or undoes) a publish, and the demo loader indexes in one batch."""

import logging
from io import StringIO

import pytest
from django.urls import reverse

from ai import embeddings
from ai.demo import finish
from ai.jobs import due_jobs
from ai.models import AITag, Chunk, IndexJob, PageVector
from blog.models import PostPage
from tests.admin_forms import post_form_data
from tests.factories import BlogIndexPageFactory, PostPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_embedder(settings, tmp_path, monkeypatch):
    """The embedding model cannot be loaded (as with a wrong EMBEDDING_MODEL)."""
    settings.EMBEDDING_MODEL = str(tmp_path)  # not a model directory
    monkeypatch.setattr(embeddings, "_embedder", None)
    yield
    monkeypatch.setattr(embeddings, "_embedder", None)


@pytest.fixture
def ai_job_log():
    """Records of the ai.jobs logger (independent of pytest's log capture)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("ai.jobs")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_publish_succeeds_when_the_ai_fails(
    client, settings, broken_embedder, django_capture_on_commit_callbacks, ai_job_log
):
    settings.AI_INDEX_ON_PUBLISH = True
    blog = BlogIndexPageFactory()
    editor = UserFactory(username="calm-editor", groups=["Editors"])
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=("blog", "postpage", blog.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post_form_data("Published anyway", "anyway", "publish"))
    assert response.status_code == 302
    post = PostPage.objects.get(slug="anyway")
    assert post.live
    assert not Chunk.objects.filter(page_id=post.pk).exists()
    # The failure is kept on the page's job, which is retried later (not in
    # the request, not in a hot loop), and logged.
    job = IndexJob.objects.get(page_id=post.pk, kind=IndexJob.Kind.INDEX)
    assert (job.status, job.attempts) == (IndexJob.Status.PENDING, 1)
    assert "not a sentence-transformers directory" in job.last_error
    warnings = [record.getMessage() for record in ai_job_log if record.levelname == "WARNING"]
    assert any("AI index job" in message and "failed" in message for message in warnings)


def test_demo_finish_indexes_and_tags_every_public_page_once():
    blog = BlogIndexPageFactory()
    posts = [
        publish(PostPageFactory(parent=blog, title=f"Harbour ferries report {n}")) for n in range(3)
    ]
    summary = finish(StringIO())
    assert "indexed" in summary and "tagged" in summary
    assert PageVector.objects.filter(page_id__in=[post.pk for post in posts]).count() == 3
    assert AITag.objects.filter(page_id__in=[post.pk for post in posts]).exists()
    assert finish(StringIO()) == ""  # nothing left to do
    # Recorded as done, so a server starting next (make run) finds no work.
    done = IndexJob.objects.filter(page_id__in=[post.pk for post in posts])
    assert done.count() == 6 and {job.status for job in done} == {IndexJob.Status.DONE}
    assert due_jobs().count() == 0
