"""AI work never fails (or undoes) a publish, and the demo loader indexes in one batch."""

import logging
from io import StringIO

import pytest
from django.urls import reverse

from ai import embeddings
from ai.demo import finish
from ai.models import AITag, Chunk, PageVector
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
def ai_task_log():
    """Records of the ai.tasks logger (independent of pytest's log capture)."""
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("ai.tasks")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_publish_succeeds_when_the_ai_fails(
    client, settings, broken_embedder, django_capture_on_commit_callbacks, ai_task_log
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
    failures = [record.getMessage() for record in ai_task_log if record.levelname == "ERROR"]
    assert any("ai.tasks.index_page" in message and "gave up" in message for message in failures)


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
