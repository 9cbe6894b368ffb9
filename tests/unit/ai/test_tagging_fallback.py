"""Tagging when the language model fails: after its retries, or past
LLM_TIMEOUT, the offline tagger's tags are stored with their source, the job
notes why, and the provider is asked again on the next revision (not in a
loop). The real groq SDK talks to the local protocol server."""

import json

import pytest

from ai import llm
from ai.models import AITag, IndexJob
from tests.factories import BlogIndexPageFactory, PostPageFactory, heading, paragraph, publish

pytestmark = pytest.mark.django_db

BODY = [
    heading("Reefing"),
    paragraph(
        "Reef early: when the wind freshens, ease the mainsheet, lower the halyard and tie the "
        "reef points along the boom so the sail keeps its shape in the gusts."
    ),
    heading("Coming alongside"),
    paragraph(
        "Approach the pontoon slowly into the wind, let the sails flap and step ashore with the "
        "bow line once the dinghy has stopped; never jump from a moving boat."
    ),
]


@pytest.fixture
def groq_tagger(settings, llm_server):
    settings.AI_INDEX_ON_PUBLISH = True
    settings.EMBEDDED_TASKS_IN_BACKGROUND = False
    llm._backend = llm.GroqBackend(
        api_key="gsk_test",
        model="llama-test",
        base_url=llm_server.base_url,
        timeout=1.0,
        max_retries=2,
    )
    yield llm._backend
    llm.reset_llm()


def tag_job(page):
    return IndexJob.objects.get(page_id=page.pk, kind=IndexJob.Kind.TAG)


@pytest.mark.parametrize(
    ("failure", "code", "requests"),
    [("server_errors", "llm_upstream_error", 3), ("hang", "llm_timeout", 1)],
)
def test_a_failing_provider_falls_back_to_offline_tags_and_says_so(
    groq_tagger, llm_server, django_capture_on_commit_callbacks, failure, code, requests
):
    if failure == "server_errors":
        llm_server.fail(500, times=3, retry_after_ms=10)
    else:
        llm_server.hang()  # a second request would get the reply below
    post = PostPageFactory(parent=BlogIndexPageFactory(), title="Dinghy sailing", body=BODY)
    with django_capture_on_commit_callbacks(execute=True):
        post = publish(post)
    job = tag_job(post)
    assert (job.status, job.outcome) == (IndexJob.Status.DONE, AITag.Source.KEYPHRASE)
    assert job.last_error.startswith(code)
    assert len(llm_server.requests) == requests  # its own retries, then no more
    tags = AITag.objects.filter(page_id=post.pk)
    assert tags.exists()
    assert {row.source for row in tags} == {AITag.Source.KEYPHRASE}

    # The next revision asks the provider again, which has recovered.
    llm_server.reply(json.dumps({"tags": ["reefing", "mainsheet", "pontoon"]}))
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "Dinghy sailing, revised"
        post = publish(post)
    job = tag_job(post)
    assert (job.outcome, job.last_error, job.revision_id) == (
        AITag.Source.LLM,
        "",
        post.live_revision_id,
    )
    # The model's tags replace the offline ones not reviewed yet (a tag both
    # suggested keeps its first suggestion's row).
    rows = AITag.objects.filter(page_id=post.pk).select_related("tag")
    assert sorted(row.tag.name for row in rows) == ["mainsheet", "pontoon", "reefing"]
    assert AITag.Source.LLM in {row.source for row in rows}
