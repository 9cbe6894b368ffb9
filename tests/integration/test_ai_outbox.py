"""AI work is never lost and never stuck, on real processes (issue 15).

- A page published from a short-lived `manage.py shell` while a `make run`-style
  server (Daphne in the embedded mode) runs is indexed and tagged by the
  server's sweeper, without anyone running `reindex`.
- A Celery worker SIGKILLed in the middle of indexing: after a restart the
  message comes back after CELERY_VISIBILITY_TIMEOUT and the work is done.
- The llm-queue worker with a provider that hangs stores the offline tagger's
  tags with their source; a Daphne whose provider never starts answering
  sends `llm_timeout` to the reader.
- `reindex` SIGKILLed midway keeps every page it reported stored.

Subprocesses that publish get their own broker database where a test owns
the workers, so the session's shared worker never takes their messages.
"""

import json
import os
import re
import signal
import subprocess
import sys
import uuid

import pytest
from websockets.sync.client import connect

from ai.models import AITag, Chunk, IndexJob, PageVector
from core.switches import bulk_load
from home.models import HomePage, StandardPage
from tests import servers
from tests.live import groq_env, publish_indexed_post, wait_until
from tests.llm_server import ChatCompletionsServer

INDEX, TAG = IndexJob.Kind.INDEX, IndexJob.Kind.TAG

# `make run`: no broker, tasks on the serving process's background thread.
EMBEDDED = {
    "CELERY_BROKER_URL": "",
    "EMBEDDED_TASKS_IN_BACKGROUND": "true",
    "AI_INDEX_ON_PUBLISH": "true",
}

SHELL_PUBLISH = """
from home.models import HomePage, StandardPage
page = StandardPage(
    title={title!r},
    slug={slug!r},
    intro="",
    body=[("paragraph", "<p>" + {text!r} + "</p>")],
)
HomePage.objects.get().add_child(instance=page)
page.save_revision().publish()
print("PUBLISHED", page.pk)
"""

LIGHTHOUSE = (
    "The keeper climbed the spiral stair at dusk to light the lamp, wound the clockwork that "
    "turned the lens, and logged the weather every four hours until the dawn came up grey."
)


def shell_publish(env, title, text=LIGHTHOUSE):
    """Publish a page from a separate, short-lived `manage.py shell -c`; its id."""
    code = SHELL_PUBLISH.format(title=title, slug=f"p-{uuid.uuid4().hex[:10]}", text=text)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=servers.ROOT,
        env=servers.service_env(env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    # The process exits cleanly: no work on a thread dying with it.
    assert "Traceback" not in result.stderr and "atexit" not in result.stderr, result.stderr
    return int(re.search(r"PUBLISHED (\d+)", result.stdout).group(1))


def job(page_id, kind=INDEX):
    return IndexJob.objects.filter(page_id=page_id, kind=kind).first()


def kill_process_group(managed):
    """SIGKILL a server and its children, as the OOM killer or a power cut would."""
    os.killpg(os.getpgid(managed.proc.process.pid), signal.SIGKILL)
    managed.proc.process.wait(10)
    managed.proc._log.close()


# A page published by a short-lived process -----------------------------------


@pytest.fixture
def embedded_daphne(django_db_setup, service_settings_env):
    """Daphne as `make run` serves: the embedded worker sweeps every 2 s."""
    server = servers.Daphne(
        extra_env={**service_settings_env, **EMBEDDED, "AI_SWEEP_INTERVAL": "2"},
        name="daphne-embedded",
    )
    yield server
    server.stop()


def test_a_page_published_from_a_shell_is_indexed_and_tagged_by_the_running_server(
    live_db, embedded_daphne
):
    title = f"Lighthouse nights {uuid.uuid4().hex[:6]}"
    page_id = shell_publish(EMBEDDED, title)
    # The shell only recorded the work (no worker of its own).
    assert {row.kind for row in IndexJob.objects.filter(page_id=page_id)} == {INDEX, TAG}

    wait_until(
        lambda: (
            job(page_id).status == IndexJob.Status.DONE
            and job(page_id, TAG).status == IndexJob.Status.DONE
        ),
        timeout=180,
        message="the server's sweeper to index and tag the page",
    )
    live_revision = StandardPage.objects.get(pk=page_id).live_revision_id
    chunks = Chunk.objects.filter(page_id=page_id)
    assert chunks.exists() and {chunk.revision_id for chunk in chunks} == {live_revision}
    assert job(page_id).revision_id == live_revision and job(page_id).outcome == "indexed"
    tags = AITag.objects.filter(page_id=page_id)
    assert tags.exists() and {row.source for row in tags} == {AITag.Source.KEYPHRASE}
    assert "AI sweep" in embedded_daphne.proc.log()


# A worker killed mid-task ------------------------------------------------------


@pytest.fixture
def isolated_broker(services):
    """A broker database of its own, with short limits: redelivery in ~1 min."""
    return {
        "CELERY_BROKER_URL": services["redis"].url(7),
        "CELERY_TASK_TIME_LIMIT": "40",
        "CELERY_TASK_SOFT_TIME_LIMIT": "35",
        "CELERY_VISIBILITY_TIMEOUT": "50",
        "AI_INDEX_ON_PUBLISH": "true",
    }


def test_a_worker_killed_mid_task_is_redelivered_and_the_work_done_after_restart(
    live_db, service_settings_env, isolated_broker
):
    env = {**service_settings_env, **isolated_broker}
    first = servers.CeleryWorker(extra_env=env, queues="celery", name="celery-killed")
    try:
        page_id = shell_publish(env, f"Killed mid-task {uuid.uuid4().hex[:6]}")
        # The worker claimed the job and is loading the model or embedding.
        wait_until(
            lambda: (row := job(page_id)) is not None and row.attempts == 1,
            timeout=120,
            message="the worker to claim the index job",
        )
    finally:
        kill_process_group(first)
    killed = job(page_id)
    assert killed.status == IndexJob.Status.PENDING and killed.claimed_until is not None
    assert not Chunk.objects.filter(page_id=page_id).exists()

    second = servers.CeleryWorker(extra_env=env, queues="celery", name="celery-restarted")
    try:
        wait_until(
            lambda: job(page_id).status == IndexJob.Status.DONE,
            timeout=240,
            message="the redelivered message to be done by the restarted worker",
        )
        assert "ai.tasks.index_page" in second.proc.log()
    finally:
        second.stop()
    done = job(page_id)
    assert (done.attempts, done.outcome) == (2, "indexed")
    assert Chunk.objects.filter(page_id=page_id).exists()


# The language model failing --------------------------------------------------


@pytest.fixture(scope="module")
def llm_server():
    with ChatCompletionsServer() as server:
        yield server


def test_the_llm_worker_falls_back_to_offline_tags_when_the_provider_hangs(
    live_db, service_settings_env, services, llm_server
):
    env = {
        **service_settings_env,
        "CELERY_BROKER_URL": services["redis"].url(8),
        "AI_INDEX_ON_PUBLISH": "true",
        "GROQ_API_KEY": "gsk_integration",
        "GROQ_BASE_URL": llm_server.base_url,
        "LLM_TIMEOUT": "2",
        "LLM_MAX_RETRIES": "2",
    }
    llm_server.hang()
    worker = servers.CeleryWorker(extra_env=env, queues="llm", name="celery-llm")
    try:
        page_id = shell_publish(env, f"Hanging provider {uuid.uuid4().hex[:6]}")
        wait_until(
            lambda: (row := job(page_id, TAG)) is not None and row.status == IndexJob.Status.DONE,
            timeout=180,
            message="the llm worker to tag the page",
        )
        assert "ai.tasks.tag_page" in worker.proc.log()
    finally:
        worker.stop()
    tagged = job(page_id, TAG)
    assert tagged.outcome == AITag.Source.KEYPHRASE
    assert tagged.last_error.startswith("llm_timeout")
    tags = AITag.objects.filter(page_id=page_id)
    assert tags.exists() and {row.source for row in tags} == {AITag.Source.KEYPHRASE}
    # One request: the provider's silence used the whole deadline, no retries.
    assert len(llm_server.requests) == 1
    # Only the llm queue was consumed: the index job waits for its own worker.
    assert job(page_id).status == IndexJob.Status.PENDING


def test_a_reader_gets_llm_timeout_when_the_provider_never_starts_answering(
    live_db, service_settings_env, llm_server
):
    post = publish_indexed_post(
        "outbox-blog",
        f"Keeping the light {uuid.uuid4().hex[:6]}",
        "How the lamp on the point was kept burning.",
        [LIGHTHOUSE],
    )
    daphne = servers.Daphne(
        extra_env={
            **service_settings_env,
            # Only the first-token deadline can end the wait.
            **groq_env(llm_server, LLM_TIMEOUT="60", LLM_FIRST_TOKEN_TIMEOUT="2"),
        },
        name="daphne-first-token",
    )
    try:
        requests_before = len(llm_server.requests)
        llm_server.hang()
        with connect(
            f"{daphne.ws_url}/ws/assistant/", additional_headers={"Origin": daphne.url}
        ) as socket:
            question = {"type": "ask", "question": "How was the lamp kept?", "page_id": post.pk}
            socket.send(json.dumps(question))
            frames = []
            while not frames or frames[-1]["type"] not in ("done", "error"):
                frames.append(json.loads(socket.recv(timeout=30)))
    finally:
        daphne.stop()
    assert [frame["type"] for frame in frames] == ["sources", "error"]
    assert frames[-1]["code"] == "llm_timeout"
    assert len(llm_server.requests) == requests_before + 1


# reindex killed midway -------------------------------------------------------


def test_reindex_killed_midway_keeps_every_page_it_stored(live_db):
    home = HomePage.objects.get()
    section = home.add_child(
        instance=StandardPage(title="Harbour log", slug=f"log-{uuid.uuid4().hex[:8]}", intro="")
    )
    with bulk_load.suspended():  # no jobs: only reindex will index these
        for number in range(24):
            page = StandardPage(
                title=f"Harbour log entry {number}",
                slug=f"entry-{number}",
                intro="",
                body=[("paragraph", f"<p>Entry {number}. {LIGHTHOUSE}</p>")],
            )
            section.add_child(instance=page)
            page.save_revision().publish()

    command = [sys.executable, "manage.py", "reindex", "--batch-size", "4", "--no-progress", "-v2"]
    process = subprocess.Popen(
        command,
        cwd=servers.ROOT,
        env=servers.service_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stored = []
    try:
        for line in process.stdout:
            found = re.match(r"stored page (\d+): (\d+) chunks", line)
            if found:
                stored.append((int(found.group(1)), int(found.group(2))))
            if len(stored) >= 6:
                os.killpg(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(30)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    assert len(stored) >= 6
    for page_id, chunks in stored:
        assert Chunk.objects.filter(page_id=page_id).count() == chunks
        assert PageVector.objects.filter(page_id=page_id).exists() == (chunks > 0)
        assert job(page_id).status == IndexJob.Status.DONE

    rerun = subprocess.run(
        command,
        cwd=servers.ROOT,
        env=servers.service_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    stored_again = {int(n) for n in re.findall(r"stored page (\d+):", rerun.stdout)}
    assert not stored_again & {page_id for page_id, _ in stored}
    entries = StandardPage.objects.child_of(section).values_list("pk", flat=True)
    assert PageVector.objects.filter(page_id__in=entries).count() == 24
