"""Fault and load drills on the production stack, with real servers.

Starts PostgreSQL 18 + pgvector (max_connections 100) and Redis, migrates
and seeds them under production settings, then runs the processes as
docker-compose.yml declares them: gunicorn for HTTP, Daphne for WebSockets,
a Celery worker. Then it prints:

1. serving: product-page throughput and latency through gunicorn and
   through Daphne (the same settings), 32 keep-alive clients each;
2. a 150-request concurrent burst: status counts, p50/p99, database
   connections before, at the peak and 10 s after;
3. 300 sequential requests: connections before and after;
4. Redis down 10 s: share of 200s among page views, then the outcome of a
   page published from a short-lived process while it is still down, and whether the cache,
   the channel layer and the parked tasks recover without a restart;
5. PostgreSQL down 10 s: status counts during the outage and the time to
   the first 200 after it returns;
6. AI work (the outbox, with workers laid out as compose declares them:
   `worker -Q celery`, `llm-worker -Q llm`, beat; short time limits so the
   drill fits in minutes): seconds from a shell publish to the page indexed
   and tagged; with Redis down at publish time, from Redis's return; with
   the worker SIGKILLed mid-task, from the kill; and with a provider that
   never answers, which tagger stored the tags and after how long.

Run by hand: `.venv/bin/python bench/production_drills.py`. It asserts
nothing; the figures go in the issue notes.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from environment import ROOT, percentiles, production_process_env

from tests import servers

PYTHON = sys.executable
BIN = servers.VENV_BIN


def production_env(postgres, redis, static_root, extra=None):
    return production_process_env(
        postgres.url(),
        static_root,
        REDIS_URL=redis.url(),
        EMBEDDING_WARM_UP="false",
        **(extra or {}),
    )


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Daphne(servers.ManagedProcess):
    def __init__(self, env):
        self.port = servers.free_port()
        super().__init__(
            "daphne-bench",
            [
                str(BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "config.asgi:application",
            ],
            env=env,
        )
        servers.wait_for_port(self.port, self.process, 60, self.log_path)


def get(port, path, timeout=30):
    """(status, milliseconds) of one GET; "timeout" or "refused" when no
    answer came."""
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status = response.status
        connection.close()
    except TimeoutError:
        status = "timeout"
    except OSError:
        status = "refused"
    return status, (time.perf_counter() - started) * 1000


def wait_until_ok(port, path="/", timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(port, path, timeout=5)[0] == 200:
            return True
        time.sleep(0.2)
    return False


def demo_urls(port):
    """A product page and a post from the sitemap."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/sitemap.xml", headers={"Host": "127.0.0.1"})
    body = connection.getresponse().read().decode()
    paths = [urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", body)]
    product = next(p for p in paths if p.startswith("/shop/") and p.count("/") >= 4)
    post = next(p for p in paths if p.startswith("/blog/") and p.count("/") >= 3)
    return product, post


def throughput(port, path, clients=32, seconds=10):
    """(requests/s, p50, p99, status counts) with `clients` keep-alive clients."""
    stop = time.monotonic() + seconds
    samples, statuses, lock = [], Counter(), threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except OSError:
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                samples.append((time.perf_counter() - started) * 1000)
                statuses[status] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p50, _, p99 = percentiles(samples)
    return len(samples) / seconds, p50, p99, statuses


def burst(port, path, postgres, size=150):
    """Status counts, p50/p99 and connection counts for `size` requests at once."""
    before = postgres.connection_count()
    peak = [before]
    watching = threading.Event()

    def watch():
        while not watching.is_set():
            peak.append(postgres.connection_count())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    barrier = threading.Barrier(size)

    def one():
        barrier.wait()
        return get(port, path)

    with ThreadPoolExecutor(size) as pool:
        results = list(pool.map(lambda _: one(), range(size)))
    watching.set()
    watcher.join()
    time.sleep(10)
    after = postgres.connection_count()
    statuses = Counter(status for status, _ in results)
    p50, _, p99 = percentiles([ms for _, ms in results])
    return statuses, p50, p99, before, max(peak), after


def during(port, paths, seconds, clients=4):
    """(status counts, p50 ms, max ms) of page views spread over `seconds`
    (clients in parallel)."""
    stop = time.monotonic() + seconds
    statuses, samples, lock = Counter(), [], threading.Lock()

    def client(index):
        n = index
        while time.monotonic() < stop:
            status, ms = get(port, paths[n % len(paths)], timeout=10)
            n += 1
            with lock:
                statuses[status] += 1
                samples.append(ms)
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, percentiles(samples)[0], max(samples)


PUBLISH_SCRIPT = """
from django.utils import timezone
from blog.models import PostPage
post = PostPage.objects.live().order_by("pk").first()
post.title = "Drill " + timezone.now().isoformat()
post.save_revision().publish()
print("published", post.pk, PostPage.objects.get(pk=post.pk).title)
"""


LONG_PUBLISH_SCRIPT = """
from django.utils import timezone
from blog.models import PostPage
post = PostPage.objects.live().order_by("-pk").first()
post.title = "Long drill " + timezone.now().isoformat()
line = "The tide table for day {} lists two highs and two lows."
paragraphs = ["<p>" + " ".join(line.format(40 * p + n) for n in range(40)) for p in range(60)]
post.body = [("paragraph", paragraph) for paragraph in paragraphs]
post.save_revision().publish()
print("published", post.pk, PostPage.objects.get(pk=post.pk).title)
"""


def publish_from_shell(env, script=PUBLISH_SCRIPT):
    """(exit code, last line) of publishing a post from a short-lived process."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.strip().splitlines()
    return done.returncode, lines[-1] if lines else done.stderr.strip()[-300:]


def readiness(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/readyz", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def format_counts(statuses):
    return ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items(), key=str))


def serving(web, daphne, product, args):
    print("\n1. Serving a product page, 32 clients, 10 s (same settings)")
    for name, port in (
        (f"gunicorn {args.workers}x{args.threads} gthread", web.port),
        ("daphne", daphne.port),
    ):
        get(port, product)
        rate, p50, p99, statuses = throughput(port, product)
        print(
            f"   {name:<24} {rate:6.1f} req/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms"
            f"  ({format_counts(statuses)})"
        )


def bursts(web, daphne, product, postgres):
    print("\n2. Burst of 150 concurrent GETs of the product page")
    for name, port in (("gunicorn", web.port), ("daphne", daphne.port)):
        statuses, p50, p99, before, peak, after = burst(port, product, postgres)
        print(f"   {name}: {format_counts(statuses)}; p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print(f"   database connections: before {before}, peak {peak}, 10 s after {after}")


def sequential(web, product, post, postgres):
    print("\n3. 300 sequential requests (gunicorn)")
    before = postgres.connection_count()
    statuses = Counter(get(web.port, (product, post)[n % 2])[0] for n in range(300))
    print(f"   statuses: {format_counts(statuses)}")
    print(f"   connections: before {before}, after {postgres.connection_count()}")


def redis_outage(web, product, post, redis, env):
    print("\n4. Redis down for 10 s")
    redis.stop_server()
    statuses, p50, slowest = during(web.port, [product, post, "/", "/blog/"], 10)
    served = statuses.get(200, 0) / max(1, sum(statuses.values()))
    print(f"   page views: {format_counts(statuses)} ({served:.0%} served)")
    print(f"   p50 {p50:.0f} ms, slowest {slowest:.0f} ms")
    # Still down: a script (or cron's publish_scheduled) publishes a post.
    code, line = publish_from_shell(env)
    print(f"   publish from a short-lived process: exit {code}, {line!r}")
    status, body = readiness(web.port)
    print(f"   /readyz while down: {status} {body['status']} (failed: {body['failed']})")
    redis.start_server()
    started = time.monotonic()
    while time.monotonic() - started < 60:
        status, body = readiness(web.port)
        if body["status"] == "ok":
            break
        time.sleep(0.5)
    print(
        f"   after Redis returned: /readyz {body['status']} in "
        f"{time.monotonic() - started:.1f} s (cache, channel layer and broker checked)"
    )
    resent = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", RESEND_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    print(f"   parked tasks: {resent.stdout.strip().splitlines()[-1]}")


RESEND_SCRIPT = """
from core.models import ParkedTask
from core.tasks import resend_parked_tasks
before = ParkedTask.objects.count()
resend_parked_tasks()
print(f"{before} parked during the outage, {ParkedTask.objects.count()} left after a resend")
"""


def postgres_outage(web, product, post, postgres):
    print("\n5. PostgreSQL down for 10 s")
    postgres.stop_server()
    statuses, p50, slowest = during(web.port, [product, post, "/"], 10)
    print(f"   page views: {format_counts(statuses)}; p50 {p50:.0f} ms, slowest {slowest:.0f} ms")
    postgres.start_server()
    started = time.monotonic()
    recovered = wait_until_ok(web.port, product, timeout=60)
    print(
        f"   first 200 after it returned: {time.monotonic() - started:.1f} s"
        if recovered
        else "   no 200 within 60 s after it returned"
    )
    statuses, _, _ = during(web.port, [product, post, "/"], 3)
    print(f"   the next 3 s: {format_counts(statuses)}")


# Drill 6 runs with these limits: redelivery after a kill within ~1.5 min.
AI_DRILL_ENV = {
    "AI_SWEEP_INTERVAL": "10",
    "CELERY_TASK_TIME_LIMIT": "60",
    "CELERY_TASK_SOFT_TIME_LIMIT": "50",
    "CELERY_VISIBILITY_TIMEOUT": "90",
    "AI_INDEX_ON_PUBLISH": "true",
    "LLM_TIMEOUT": "5",
}


def ai_jobs(postgres, page_id):
    """{kind: (status, outcome, attempts, last error)} of a page's AI jobs."""
    import psycopg

    with psycopg.connect(postgres.url()) as connection:
        rows = connection.execute(
            "SELECT kind, status, outcome, attempts::text, left(last_error, 40) "
            "FROM ai_indexjob WHERE page_id = %s ORDER BY kind",
            [page_id],
        ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def wait_for_ai(postgres, page_id, started, kinds=("index", "tag"), timeout=600):
    """Seconds from `started` until the page's jobs of `kinds` are done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = ai_jobs(postgres, page_id)
        if all(jobs.get(kind, ("",))[0] == "done" for kind in kinds):
            return time.monotonic() - started, jobs
        time.sleep(0.5)
    return None, ai_jobs(postgres, page_id)


def published_id(line):
    """The page id in publish_from_shell's last line."""
    return int(line.split()[1])


def ai_work(env, redis, postgres, llm):
    from tests.llm_server import Scripted

    print(f"\n6. AI work: the outbox and its sweeper (limits: {AI_DRILL_ENV})")
    llm_env = {**env, "GROQ_API_KEY": "gsk_drill", "GROQ_BASE_URL": llm.base_url}
    worker = servers.CeleryWorker(extra_env=env, queues="celery", name="celery-ai-drill")
    llm_worker = servers.CeleryWorker(extra_env=llm_env, queues="llm", name="celery-llm-drill")
    beat = servers.ManagedProcess(
        "celery-beat-drill",
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "beat",
            "--schedule",
            str(Path(tempfile.mkdtemp(prefix="beat-")) / "schedule"),
        ],
        env=env,
    )
    try:
        started = time.monotonic()
        code, line = publish_from_shell(env)
        seconds, jobs = wait_for_ai(postgres, published_id(line), started)
        print(
            f"   a: shell publish to indexed and tagged: {seconds and round(seconds, 1)} s {jobs}"
        )

        redis.stop_server()
        code, line = publish_from_shell(env)
        print(
            f"   b: Redis down, shell publish: exit {code};"
            f" jobs {ai_jobs(postgres, published_id(line))}"
        )
        time.sleep(5)
        redis.start_server()
        started = time.monotonic()
        seconds, jobs = wait_for_ai(postgres, published_id(line), started)
        print(
            "      after Redis returned, indexed and tagged in"
            f" {seconds and round(seconds, 1)} s {jobs}"
        )

        # A long post, so the worker is still embedding when it is killed.
        code, line = publish_from_shell(env, LONG_PUBLISH_SCRIPT)
        page_id = published_id(line)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            # Claimed by the worker and not finished: it is working on it.
            if ai_jobs(postgres, page_id).get("index", ("", "", "0"))[::2] == ("pending", "1"):
                break
            time.sleep(0.05)
        os.killpg(os.getpgid(worker.proc.process.pid), 9)
        worker.proc.process.wait(10)
        killed = time.monotonic()
        print(f"   c: worker SIGKILLed with the index job claimed: {ai_jobs(postgres, page_id)}")
        worker = servers.CeleryWorker(extra_env=env, queues="celery", name="celery-ai-drill-2")
        seconds, jobs = wait_for_ai(postgres, page_id, killed, kinds=("index",))
        print(
            "      restarted at once; index job done"
            f" {seconds and round(seconds, 1)} s after the kill {jobs}"
        )

        llm.default = Scripted(hang=True)
        started = time.monotonic()
        code, line = publish_from_shell(env)
        seconds, jobs = wait_for_ai(postgres, published_id(line), started, kinds=("tag",))
        print(f"   d: provider never answers: tagged in {seconds and round(seconds, 1)} s {jobs}")
    finally:
        llm.default = None
        for process in (beat, llm_worker, worker):
            process.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--pool", type=int, default=8, help="DATABASE_POOL_MAX_SIZE per process")
    parser.add_argument(
        "--drills",
        default="serving,burst,sequential,redis,postgres,ai",
        help="which drills to run, comma-separated (default: all)",
    )
    args = parser.parse_args()
    drills = set(args.drills.split(","))

    postgres, redis = servers.Postgres(), servers.Redis()
    static_root = tempfile.mkdtemp(prefix="pressroom-static-")
    extra = {"DATABASE_POOL_MAX_SIZE": str(args.pool), **(AI_DRILL_ENV if "ai" in drills else {})}
    env = production_env(postgres, redis, static_root, extra)
    processes = []
    try:
        print("migrating, collecting static files and seeding the demo (production settings)")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--without-ai", "--allow-production")
        web = servers.Gunicorn(env, "gunicorn-bench", args.workers, args.threads)
        processes.append(web)
        daphne = Daphne(env)
        processes.append(daphne)
        if drills - {"ai"}:
            processes.append(servers.CeleryWorker(extra_env=env, name="celery-bench"))
        wait_until_ok(web.port)
        product, post = demo_urls(web.port)
        print(f"pages: {product} and {post}; max_connections 100; pool {args.pool} per process")
        if "serving" in drills:
            serving(web, daphne, product, args)
        if "burst" in drills:
            bursts(web, daphne, product, postgres)
        if "sequential" in drills:
            sequential(web, product, post, postgres)
        if "redis" in drills:
            redis_outage(web, product, post, redis, env)
        if "postgres" in drills:
            postgres_outage(web, product, post, postgres)
        if "ai" in drills:
            from tests.llm_server import ChatCompletionsServer

            with ChatCompletionsServer() as llm:
                ai_work(env, redis, postgres, llm)
    finally:
        for process in reversed(processes):
            process.stop()
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
