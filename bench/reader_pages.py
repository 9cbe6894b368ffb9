"""Reader pages side by side with wagtail/bakerydemo: server CPU per request.

Both sites run the same way: production settings on SQLite, no Redis,
gunicorn with 2 sync workers, loaded by `wrk` with 32 connections. Pressroom
runs twice, with its anonymous page cache on (what readers get) and off
(`PAGE_CACHE_SECONDS=0`: every request renders, from the shared fragments
that a change renews); the second one is also loaded as a signed-in reader
(a session cookie: the page cache never answers them, and their header, cart,
bell and comment form are rendered for them). Rounds alternate between
the servers page by page, so load from other processes on the machine falls
on all of them alike; compare the ratios, not the absolute figures.

CPU ms/request = the gunicorn processes' user+system CPU time during a
round (from /proc) divided by the requests wrk completed in it.

"search" repeats one query, as popular queries repeat (Pressroom keeps a
ranking per content version); "search, new words" sends a query never seen
before on every request (a wrk script numbers them), so each one embeds and
ranks afresh on Pressroom and searches afresh on bakerydemo.

Set-up, once:
- Pressroom: a seeded SQLite database (`make run` seeds var/db.sqlite3, or
  `DATABASE_URL=sqlite:////tmp/x.sqlite3 manage.py migrate && ... seed_demo`).
- bakerydemo: the `fetch` tool's github:wagtail/bakerydemo checked out in
  BAKERYDEMO_DIR with its own .venv (Django 5.2, Wagtail 8.0.1, its other
  requirements, gunicorn) and `manage.py migrate && load_initial_data &&
  collectstatic` run under `bakerydemo.settings.production` with
  DATABASE_NAME=BAKERYDEMO_DIR/bakerydemodb.

    .venv/bin/python bench/reader_pages.py --pressroom-db var/db.sqlite3 \\
        --bakerydemo /work/bench-ref/bakerydemo [--rounds 3 --seconds 5]
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from environment import production_process_env

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# (label, Pressroom path, bakerydemo path): the same kind of page on each.
PAGES = [
    ("home", "/", "/"),
    ("blog index", "/blog/", "/blog/"),
    ("post vs blog page", None, "/blog/wild-yeast/"),
    # An editorial article against bakerydemo's recipe page: both long-form
    # StreamField pages with a hero image and people attached.
    ("article vs recipe page", None, "/recipes/hot-cross-bun/"),
    ("product vs bread page", None, "/breads/anadama-bread/"),
    ("search", "/search/?query=bread", "/search/?q=bread"),
    ("search, new words", "/search/?query=bread+{n}", "/search/?q=bread+{n}"),
]

# wrk's request() for a path with "{n}": every request a query of its own
# (the thread's number and a counter, as threads have separate Lua states).
NUMBERED_REQUESTS = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
local counter = 0
function request()
  counter = counter + 1
  local n = tostring(thread_number) .. "x" .. tostring(counter)
  return wrk.format("GET", (string.gsub(path_template, "{n}", n)))
end
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_tree(pid):
    """The pid and its children's pids (gunicorn's master and workers)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids):
    """User + system CPU seconds used so far by these processes."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


class Gunicorn:
    """A gunicorn serving one site with 2 sync workers."""

    def __init__(self, name, python, cwd, app, env, log):
        self.name = name
        self.port = free_port()
        self.log = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                app,
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
                # A first search loads the embedding model: slow on a busy machine.
                "--timeout",
                "300",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self.wait_ready()
        self.pids = process_tree(self.process.pid)

    def wait_ready(self, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=120)
                return
            except OSError:
                if self.process.poll() is not None:
                    sys.exit(f"{self.name} exited at start-up ({self.process.returncode})")
                time.sleep(0.5)
        self.stop()
        sys.exit(f"{self.name} did not answer within {timeout} s")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def run_wrk(url, seconds, connections, cookie=None, numbered_path=None):
    """(completed requests, non-2xx/3xx responses, timeouts, p50 ms, p99 ms);
    with `numbered_path`, each request asks for it with its own "{n}"."""
    options = ["-H", f"Cookie: {cookie}"] if cookie else []
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if numbered_path:
            script.write(f"path_template = {numbered_path!r}\n{NUMBERED_REQUESTS}")
            script.flush()
            options += ["-s", script.name]
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
        output = subprocess.run(
            [*command, *options, url], capture_output=True, text=True, check=True
        ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)", output, re.M)
        if not match:
            return float("nan")
        scale = {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
        return float(match.group(1)) * scale

    return (
        requests,
        int(errors.group(1)) if errors else 0,
        int(timeouts.group(1)) if timeouts else 0,
        latency(50),
        latency(99),
    )


def measure(server, path, seconds, connections, cookie=None):
    """CPU ms per request and the wrk figures of one round."""
    numbered_path = path if "{n}" in path else None
    path = path.replace("{n}", "warm-up")
    # Warm: the first view of a page makes its image renditions.
    request = urllib.request.Request(server.url(path), headers={"Cookie": cookie} if cookie else {})
    try:
        urllib.request.urlopen(request, timeout=300).read()
    except OSError as error:
        raise SystemExit(f"{server.name} {path}: {error} (log: {server.log.name})") from error
    before = cpu_seconds(server.pids)
    requests, errors, timeouts, p50, p99 = run_wrk(
        server.url(path), seconds, connections, cookie, numbered_path
    )
    used = cpu_seconds(server.pids) - before
    return {
        "cpu_ms": used * 1000 / max(requests, 1),
        "rps": requests / seconds,
        "errors": errors,
        "timeouts": timeouts,
        "p50": p50,
        "p99": p99,
    }


def pressroom_env(database, static_root, page_cache_seconds):
    return production_process_env(
        f"sqlite:///{database}",
        static_root,
        EMBEDDING_WARM_UP="true",
        # wrk comes from one address: the per-address search limit would
        # turn the search round into 429s.
        SEARCH_RATE_LIMIT="100000000",
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
    )


def bakerydemo_env(directory):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bakerydemo.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_NAME": str(Path(directory) / "bakerydemodb"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1, as for Pressroom
        }
    )
    for name in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE_OVERRIDE"):
        env.pop(name, None)
    return env


def django_output(env, code):
    """The words `code` prints, run with Django set up in Pressroom's environment `env`."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()


def sample_pressroom_paths(env):
    """Pressroom's newest post, newest article and first product, as URL paths."""
    code = (
        "import django; django.setup()\n"
        "from blog.models import ArticlePage, PostPage\nfrom shop.models import ProductPage\n"
        "print(PostPage.objects.live().order_by('-date').first().url)\n"
        "print(ArticlePage.objects.live().order_by('-first_published_at').first().url)\n"
        "print(ProductPage.objects.live().order_by('path').first().url)\n"
    )
    return django_output(env, code)[-3:]


def signed_in_cookie(env):
    """A session cookie of a demo reader in the benchmark's database copy."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, "
        "HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "user = get_user_model().objects.get(email='reader@example.com')\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.create()\n"
        "print(settings.SESSION_COOKIE_NAME + '=' + session.session_key)\n"
    )
    return django_output(env, code)[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pressroom-db", required=True, help="a seeded SQLite database")
    parser.add_argument("--bakerydemo", required=True, help="bakerydemo checkout with .venv")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="reader-pages-"))
    database = workdir / "pressroom.sqlite3"
    shutil.copy(args.pressroom_db, database)  # benchmark sessions stay out of the original
    static_root = str(workdir / "static")
    cached_env = pressroom_env(database, static_root, 600)
    uncached_env = pressroom_env(database, static_root, 0)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=cached_env,
        check=True,
    )
    post, article, product = sample_pressroom_paths(cached_env)
    cookie = signed_in_cookie(uncached_env)
    pages = [
        (
            label,
            {
                "post vs blog page": post,
                "article vs recipe page": article,
                "product vs bread page": product,
            }.get(label, ours),
            ref,
        )
        for label, ours, ref in PAGES
    ]
    bakery_dir = Path(args.bakerydemo)
    servers = {}
    try:
        servers["cached"] = Gunicorn(
            "pressroom (page cache)",
            sys.executable,
            ROOT,
            "config.wsgi",
            cached_env,
            workdir / "cached.log",
        )
        servers["uncached"] = Gunicorn(
            "pressroom (no page cache)",
            sys.executable,
            ROOT,
            "config.wsgi",
            uncached_env,
            workdir / "uncached.log",
        )
        servers["bakery"] = Gunicorn(
            "bakerydemo",
            bakery_dir / ".venv/bin/python",
            bakery_dir,
            "bakerydemo.wsgi",
            bakerydemo_env(bakery_dir),
            workdir / "bakerydemo.log",
        )
        signed_in_home = urllib.request.Request(
            servers["uncached"].url("/"), headers={"Cookie": cookie}
        )
        if "Log out" not in urllib.request.urlopen(signed_in_home, timeout=300).read().decode():
            sys.exit("the signed-in reader's session cookie was not accepted")
        results = {}
        for round_number in range(args.rounds):
            for label, ours, ref in pages:
                order = [
                    ("bakery", "bakery", ref, None),
                    ("uncached", "uncached", ours, None),
                    ("signed in", "uncached", ours, cookie),
                    ("cached", "cached", ours, None),
                ]
                if round_number % 2:
                    order.reverse()
                for name, server, path, session in order:
                    figures = measure(
                        servers[server], path, args.seconds, args.connections, session
                    )
                    results.setdefault((label, name), []).append(figures)
            print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        for server in servers.values():
            server.stop()
    shutil.rmtree(workdir, ignore_errors=True)  # kept, with the server logs, on failure

    def span(label, name, key="cpu_ms"):
        values = [figures[key] for figures in results[(label, name)]]
        return min(values), max(values), statistics.median(values)

    print(
        f"\nServer CPU ms/request, {args.rounds} alternating rounds of {args.seconds} s, "
        f"wrk {args.connections} connections, gunicorn 2 sync workers, SQLite\n"
    )
    print(
        "| page | Pressroom, page cache (anonymous) | Pressroom, every request rendered "
        "| Pressroom, signed-in reader | bakerydemo | ratio cached | ratio rendered "
        "| ratio signed in |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, _, _ in pages:
        ours = ("cached", "uncached", "signed in")
        spans = {name: span(label, name) for name in (*ours, "bakery")}
        bakery = spans["bakery"][2]
        print(
            "| "
            + " | ".join(
                [label]
                + [
                    f"{spans[n][0]:.1f}-{spans[n][1]:.1f}"
                    for n in ("cached", "uncached", "signed in")
                ]
                + [f"{spans['bakery'][0]:.1f}-{spans['bakery'][1]:.1f}"]
                + [f"{spans[n][2] / bakery:.2f}x" for n in ours]
            )
            + " |"
        )
    print("\nThroughput: median req/s, p50/p99 ms of that round, errors = non-2xx + timeouts")
    for label, _, _ in pages:
        parts = []
        for name in ("cached", "uncached", "signed in", "bakery"):
            rounds = results[(label, name)]
            middle = sorted(rounds, key=lambda figures: figures["rps"])[len(rounds) // 2]
            errors = sum(figures["errors"] + figures["timeouts"] for figures in rounds)
            parts.append(
                f"{name} {middle['rps']:.0f} req/s {middle['p50']:.1f}/{middle['p99']:.1f} ms"
                f" err {errors}"
            )
        print(f"  {label:22} " + " | ".join(parts))


if __name__ == "__main__":
    main()
