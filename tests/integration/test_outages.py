"""Production holds under load and outages, on its own real stack: a
PostgreSQL and a Redis started for this module only (so stopping them
disturbs no other test), gunicorn serving HTTP as in production, Daphne
serving sockets. Statuses, counts and saved rows are asserted; never timings.
"""

import http.client
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.sync.client import connect

from tests import servers
from tests.live import wait_until

POOL_SIZE = 4
THREADS = 4
WORKERS = 2


def get(port, path, timeout=20):
    """(status, headers, body) of one GET; status "error" when nothing answered."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        return response.status, dict(response.getheaders()), body
    except OSError:
        return "error", {}, ""


def manage(env, *args):
    """Run manage.py in a short-lived process; its stdout."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=servers.ROOT,
        env=servers.service_env(env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def last_number(output):
    """The number a shell snippet printed last."""
    return int(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def stack(services, service_settings_env):
    """This module's own PostgreSQL and Redis, migrated, with gunicorn and Daphne."""
    postgres, redis = servers.Postgres(), servers.Redis()
    env = {
        **service_settings_env,
        "DATABASE_URL": postgres.url(),
        "REDIS_URL": redis.url(),
        "CELERY_BROKER_URL": redis.url(1),
        "DATABASE_POOL_MAX_SIZE": str(POOL_SIZE),
        "DATABASE_POOL_TIMEOUT": "2",
        "REDIS_RETRY_SECONDS": "1",
    }
    running = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        web = servers.Gunicorn(env, "gunicorn-outages", workers=WORKERS, threads=THREADS)
        running.append(web)
        daphne = servers.Daphne(env, name="daphne-outages")
        running.append(daphne)
        yield {"postgres": postgres, "redis": redis, "web": web, "daphne": daphne, "env": env}
    finally:
        for server in running:
            server.stop()
        redis.stop()
        postgres.stop()


def test_a_burst_of_150_gets_gives_no_500_and_connections_stay_bounded(stack):
    port, postgres = stack["web"].port, stack["postgres"]
    assert get(port, "/")[0] == 200
    peak = [postgres.connection_count()]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak.append(postgres.connection_count())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    barrier = threading.Barrier(150)

    def one(_):
        barrier.wait()
        return get(port, "/")[0]

    with ThreadPoolExecutor(150) as pool:
        statuses = Counter(pool.map(one, range(150)))
    done.set()
    watcher.join()
    # Every request is served, or told to come back (503); none breaks.
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] > 0
    # gunicorn holds at most one pool per worker process; Daphne one more.
    assert max(peak) <= (WORKERS + 1) * POOL_SIZE
    # ...and the site still answers normally afterwards.
    assert get(port, "/")[0] == 200


PUBLISH_HOME = """
from home.models import HomePage
home = HomePage.objects.get()
home.title = "Published while Redis was down"
home.save_revision().publish()
print(HomePage.objects.get().title)
"""

QUEUE_EMAIL = """
from core.tasks import send_email
send_email.delay_on_commit(subject="Your order", text="Shipped.", html="<p>Shipped.</p>",
                           recipients=["outage@example.com"], from_email="shop@example.com")
"""

AI_WORK_PENDING = """
from ai.jobs import due_jobs
from home.models import HomePage
print(due_jobs().filter(page_id=HomePage.objects.get().pk).count())
"""

SWEEP = "from ai.jobs import sweep; print(sweep())"

SIGNED_IN_SESSION = """
from django.contrib.auth import get_user_model
from django.test import Client
user, _ = get_user_model().objects.get_or_create(username="outage-reader")
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""

NOTIFY = """
from django.contrib.auth import get_user_model
from notifications.services import notify
notify([get_user_model().objects.get(username="outage-reader")], "page_published",
       data={"title": "After the outage", "url": "/"})
"""

COUNT_PARKED = "from core.models import ParkedTask; print(ParkedTask.objects.count())"
RESEND = "from core.tasks import resend_parked_tasks; resend_parked_tasks()"


def test_redis_down_pages_are_served_publishing_works_and_everything_recovers(stack):
    web, daphne, redis, env = stack["web"], stack["daphne"], stack["redis"], stack["env"]
    assert get(web.port, "/")[0] == 200
    redis.stop_server()
    try:
        statuses = Counter(get(web.port, path)[0] for path in ["/", "/search/?query=x"] * 5)
        assert statuses == Counter({200: 10}), statuses
        status, _, body = get(web.port, "/readyz")
        assert status == 200 and json.loads(body)["status"] == "degraded"
        # A script publishes while Redis is down: the publish stands, its AI
        # work stays due in the outbox, and an email queued meanwhile is
        # parked in the database: nothing is lost.
        assert (
            manage(env, "shell", "-c", PUBLISH_HOME)
            .strip()
            .endswith("Published while Redis was down")
        )
        assert last_number(manage(env, "shell", "-c", AI_WORK_PENDING)) == 2
        manage(env, "shell", "-c", QUEUE_EMAIL)
        assert last_number(manage(env, "shell", "-c", COUNT_PARKED)) == 1
    finally:
        redis.start_server()
    # Back without a restart: the cache, the channel layer and the broker.
    wait_until(
        lambda: json.loads(get(web.port, "/readyz")[2] or "{}").get("status") == "ok",
        timeout=30,
        message="readiness after Redis returned",
    )
    assert "Published while Redis was down" in get(web.port, "/")[2]
    manage(env, "shell", "-c", RESEND)
    assert last_number(manage(env, "shell", "-c", COUNT_PARKED)) == 0
    # The sweeper (beat's, every minute) sends the AI work through the broker.
    assert last_number(manage(env, "shell", "-c", SWEEP)) == 2
    assert last_number(manage(env, "shell", "-c", AI_WORK_PENDING)) == 0
    # Daphne's channel layer works again through the restarted Redis: a
    # notification sent from another process reaches a signed-in socket.
    session = manage(env, "shell", "-c", SIGNED_IN_SESSION).strip().splitlines()[-1]
    with connect(
        f"{daphne.ws_url}/ws/notifications/",
        additional_headers={"Origin": daphne.url, "Cookie": f"sessionid={session}"},
        open_timeout=10,
    ) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "unread_count"
        manage(env, "shell", "-c", NOTIFY)
        frame = json.loads(socket.recv(timeout=10))
    assert frame["type"] == "notification"
    assert frame["notification"]["text"] == "“After the outage” is live"


def test_postgres_down_answers_503_with_retry_after_then_200(stack):
    web, postgres = stack["web"], stack["postgres"]
    assert get(web.port, "/")[0] == 200
    postgres.stop_server()
    try:
        # A page anonymous readers already fetched comes from the page cache.
        status, headers, body = get(web.port, "/")
        assert status == 200 and "Traceback" not in body, (status, body[:300])
        # Anything that needs the database answers the 503 page.
        answers = [get(web.port, path) for path in ["/search/?query=x", "/blog/"]]
        for status, headers, body in answers:
            assert status == 503, (status, body[:300])
            assert headers["Retry-After"] == "30"
            assert "Back in a moment" in body and "Traceback" not in body
        status, _, body = get(web.port, "/readyz")
        assert status == 503 and "database" in json.loads(body)["failed"]
    finally:
        postgres.start_server()
    wait_until(lambda: get(web.port, "/")[0] == 200, timeout=60, message="a 200 after restart")
