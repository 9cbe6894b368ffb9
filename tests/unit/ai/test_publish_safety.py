"""AI work never fails (or undoes) a publish; the demo loader records its work."""

from io import StringIO

import pytest
from django.urls import reverse

from ai import embeddings
from ai.demo import finish
from ai.jobs import due_jobs, sweep
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


def test_demo_finish_records_the_work_and_the_servers_sweep_does_it(settings):
    """seed_demo embeds nothing itself (the first `make run` serves at once);
    it records the work, and the serving process's sweep does it."""
    blog = BlogIndexPageFactory()
    posts = [
        publish(PostPageFactory(parent=blog, title=f"Harbour ferries report {n}")) for n in range(3)
    ]
    post_ids = [post.pk for post in posts]
    # seed_demo under `make run` settings: a short-lived process, so the
    # server's sweeper does the work.
    settings.EMBEDDED_TASKS_IN_BACKGROUND = True
    summary = finish(StringIO())
    assert "pages to index" in summary and "to tag" in summary
    assert not PageVector.objects.filter(page_id__in=post_ids).exists()
    recorded = IndexJob.objects.filter(page_id__in=post_ids)
    assert recorded.count() == 6 and {job.status for job in recorded} == {IndexJob.Status.PENDING}
    assert set(due_jobs().filter(page_id__in=post_ids).values_list("page_id", flat=True)) == set(
        post_ids
    )
    assert finish(StringIO()) == ""  # recorded once, not twice

    settings.EMBEDDED_TASKS_IN_BACKGROUND = False  # the sweep runs the jobs inline here
    sweep()
    assert PageVector.objects.filter(page_id__in=post_ids).count() == 3
    assert AITag.objects.filter(page_id__in=post_ids).exists()
    done = IndexJob.objects.filter(page_id__in=post_ids)
    assert {job.status for job in done} == {IndexJob.Status.DONE}
    assert due_jobs().count() == 0
    assert finish(StringIO()) == ""  # nothing left to do
