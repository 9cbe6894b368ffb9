"""Index lifecycle: what a publish, unpublish, delete, move or view restriction
does to a page's chunks, and idempotence against repeated or stale tasks."""

import pytest
from wagtail.models import Page, PageViewRestriction

from ai import indexing, vector_store
from ai.embeddings import get_embedder
from ai.indexing import Outcome
from ai.models import Chunk, IndexVersion, PageVector
from tests.factories import (
    BlogIndexPageFactory,
    PostPageFactory,
    StandardPageFactory,
    heading,
    paragraph,
    publish,
)

pytestmark = pytest.mark.django_db

BODY = [
    heading("Starting the starter"),
    paragraph("Mix rye flour and water in a jar and keep it somewhere warm."),
    heading("Feeding"),
    paragraph("Discard half and feed it fresh flour every morning until it bubbles."),
]


@pytest.fixture
def indexing_on(settings, django_capture_on_commit_callbacks):
    """Publishing queues the AI tasks (run eagerly after commit here)."""
    settings.AI_INDEX_ON_PUBLISH = True

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def blog():
    return BlogIndexPageFactory()


def chunks_of(page):
    return list(Chunk.objects.filter(page_id=page.pk).order_by("position"))


def test_publishing_indexes_the_page_with_headings_and_anchors(indexing_on, blog):
    post = PostPageFactory(parent=blog, title="Sourdough in winter", body=BODY, live=False)
    post = indexing_on(publish, post)
    chunks = chunks_of(post)
    assert [chunk.heading_path for chunk in chunks] == [[], ["Starting the starter"], ["Feeding"]]
    assert chunks[1].anchor == "starting-the-starter"
    assert "rye flour" in chunks[1].text
    assert chunks[0].text.startswith("A short introduction")  # the intro leads
    assert all(chunk.revision_id == post.live_revision_id for chunk in chunks)
    vector = PageVector.objects.get(page_id=post.pk)
    assert vector.chunk_count == 3
    assert abs(float((vector.embedding**2).sum()) - 1.0) < 1e-4


def test_same_revision_twice_leaves_one_set(blog):
    post = publish(PostPageFactory(parent=blog, body=BODY))
    first = indexing.index_page(post.pk, post.live_revision_id)
    ids = [chunk.pk for chunk in chunks_of(post)]
    second = indexing.index_page(post.pk, post.live_revision_id)
    assert (first.outcome, second.outcome) == (Outcome.INDEXED, Outcome.UNCHANGED)
    assert [chunk.pk for chunk in chunks_of(post)] == ids


def test_a_task_for_an_older_revision_does_nothing(blog):
    post = publish(PostPageFactory(parent=blog, body=BODY))
    old_revision = post.live_revision_id
    post.title = "Newer title"
    post = publish(post)
    indexing.index_page(post.pk, post.live_revision_id)
    version = IndexVersion.current()
    assert indexing.index_page(post.pk, old_revision).outcome == Outcome.STALE
    assert IndexVersion.current() == version
    assert {chunk.revision_id for chunk in chunks_of(post)} == {post.live_revision_id}


def test_unpublish_removes_chunks(indexing_on, blog):
    post = indexing_on(publish, PostPageFactory(parent=blog, body=BODY, live=False))
    assert chunks_of(post)
    indexing_on(post.unpublish)
    assert chunks_of(post) == []
    assert not PageVector.objects.filter(page_id=post.pk).exists()


def test_delete_removes_chunks(indexing_on, blog):
    post = indexing_on(publish, PostPageFactory(parent=blog, body=BODY, live=False))
    page_id = post.pk
    indexing_on(Page.objects.get(pk=page_id).delete)
    assert not Chunk.objects.filter(page_id=page_id).exists()


def test_adding_a_view_restriction_removes_chunks_without_any_publish(indexing_on, blog):
    post = indexing_on(publish, PostPageFactory(parent=blog, body=BODY, live=False))
    restriction = indexing_on(
        PageViewRestriction.objects.create, page=blog, restriction_type="login"
    )
    assert chunks_of(post) == []
    indexing_on(restriction.delete)
    assert chunks_of(post)


def test_moving_into_a_restricted_section_removes_chunks(indexing_on):
    public = StandardPageFactory(title="Public section")
    private = StandardPageFactory(title="Members section")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    page = StandardPageFactory(parent=public, title="Movable", live=False, body=BODY)
    page = indexing_on(publish, page)
    assert chunks_of(page)
    indexing_on(Page.objects.get(pk=page.pk).move, private, pos="last-child")
    assert chunks_of(page) == []


def test_query_time_filter_hides_a_page_restricted_while_its_chunks_remain(blog):
    post = publish(PostPageFactory(parent=blog, title="Zeppelin hangar", body=BODY))
    indexing.index_page(post.pk)
    vector = get_embedder().encode(["feeding a rye starter every morning"])[0]
    assert vector_store.search(Chunk, vector, 3)
    # Restriction added behind the pipeline's back (no signal handling here).
    PageViewRestriction.objects.create(page=post, restriction_type="login")
    assert vector_store.search(Chunk, vector, 3) == []
    assert vector_store.search(Chunk, vector, 3, vector_store.Scope.page(post.pk)) == []


def test_draft_changes_are_not_indexed(blog):
    post = publish(PostPageFactory(parent=blog, body=BODY))
    indexing.index_page(post.pk)
    post.body = [paragraph("SECRET-DRAFT-TEXT that nobody should see yet.")]
    post.save_revision()  # saved, not published
    indexing.index_page(post.pk, force=True)
    assert not any("SECRET-DRAFT-TEXT" in chunk.text for chunk in chunks_of(post))


def test_page_types_without_the_interface_are_not_indexed(blog):
    plain = Page.objects.get(pk=blog.pk).add_child(instance=Page(title="Bare page"))
    assert indexing.index_page(plain.pk).outcome == Outcome.NOT_INDEXABLE
