"""The first `make run` on a fresh database, as a newcomer starts it (issue 16).

One `make run PORT=<free port>` on a fresh var/ (SQLite) and media directory:

- it answers 200 while the demo's AI work is still pending in the outbox
  (ordering by state: IndexJob rows pending when the first 200 arrives), the
  admin shows the "AI indexing N of M done" notice while they are, and the
  work is done later by the serving process itself;
- every absolute URL carries the port served: canonical and og:url, the
  sitemap, and the link in the order-confirmation email of a guest checkout
  (the console email backend prints it to the server's output).

Needs no --real-services: `make run` is the embedded mode. The install step
is taken as done (`make -o`): `make test` installed the virtualenv already.
"""

import os
import re
import sqlite3
import uuid

import httpx
import pytest
from bs4 import BeautifulSoup

from tests import servers
from tests.live import wait_until

# What the test session exports for its own servers must not leak into the
# newcomer's `make run`.
SESSION_ONLY = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_URL",
    "WAGTAILADMIN_BASE_URL",
    "DJANGO_ALLOWED_HOSTS",
)


class MakeRun:
    """`make run` on a free port, with its own database and media."""

    def __init__(self, tmp_path):
        self.port = servers.free_port()
        self.var = tmp_path / "var"
        env = {key: value for key, value in os.environ.items() if key not in SESSION_ONLY}
        env.update(PRESSROOM_VAR_DIR=str(self.var), DJANGO_MEDIA_ROOT=str(tmp_path / "media"))
        self.proc = servers.ManagedProcess(
            "make-run",
            ["make", "-o", ".venv/.runtime-installed", "run", f"PORT={self.port}"],
            env=env,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def jobs(self):
        """IndexJob counts by status, read from the server's own database."""
        with sqlite3.connect(f"file:{self.var / 'db.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
            return dict(db.execute("SELECT status, count(*) FROM ai_indexjob GROUP BY status"))

    def get(self, path, session=None):
        if session is None:
            return httpx.get(self.url + path, timeout=120, follow_redirects=True)
        return session.get(self.url + path)

    def stop(self):
        self.proc.stop(timeout=20)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    server = MakeRun(tmp_path_factory.mktemp("first-run"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def first_response(make_run):
    """The first 200 from / and the outbox's state right after it."""

    def home_answers():
        if make_run.proc.process.poll() is not None:
            raise AssertionError(f"make run exited\n{servers.tail(make_run.proc.log_path)}")
        try:
            return make_run.get("/").status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(home_answers, timeout=900, interval=0.5, message="make run answering 200")
    return make_run.jobs()


def admin_session(make_run):
    session = httpx.Client(follow_redirects=True, timeout=120)
    login = BeautifulSoup(make_run.get("/admin/login/", session).text, "html.parser")
    token = login.find("input", {"name": "csrfmiddlewaretoken"})["value"]
    response = session.post(
        make_run.url + "/admin/login/",
        data={"username": "admin", "password": "pressroom", "csrfmiddlewaretoken": token},
        headers={"Referer": make_run.url + "/admin/login/"},
    )
    assert response.status_code == 200 and "/admin/login/" not in str(response.url)
    return session


def test_serves_before_the_ai_work_is_done_then_does_it(make_run, first_response):
    # The demo's index and tag jobs were recorded by seed_demo and were still
    # owed when the site first answered.
    assert first_response.get("pending", 0) > 0, first_response
    session = admin_session(make_run)
    dashboard = make_run.get("/admin/", session).text
    if make_run.jobs().get("pending", 0):  # still pending after the page was made
        notice = BeautifulSoup(dashboard, "html.parser").select_one("[data-ai-index-progress]")
        assert notice is not None
        assert re.search(r"AI indexing \d+ of \d+ done", " ".join(notice.text.split()))
    # The serving process does it all, with no worker and no `reindex`.
    wait_until(
        lambda: make_run.jobs().get("pending", 0) == 0,
        timeout=3600,
        interval=5,
        message="the first run's AI work done",
    )
    jobs = make_run.jobs()
    assert jobs.get("done", 0) >= first_response["pending"] and not jobs.get("failed"), jobs
    assert "AI indexing and tagging" in make_run.proc.log()  # the console progress bar
    dashboard = make_run.get("/admin/", session).text
    assert BeautifulSoup(dashboard, "html.parser").select_one("[data-ai-index-progress]") is None


def guest_checkout(make_run, product_url):
    """Buy one of the product as a guest; returns the order number."""
    shopper = httpx.Client(follow_redirects=True, timeout=120)
    page = BeautifulSoup(make_run.get(product_url, shopper).text, "html.parser")
    form = page.find("input", {"name": "product"}).find_parent("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    fields["quantity"] = "1"
    # As site.js does: a page from the page cache carries no token of its own.
    fields["csrfmiddlewaretoken"] = shopper.get(make_run.url + "/csrf/").json()["token"]
    added = shopper.post(make_run.url + "/cart/add/", data=fields)
    assert added.status_code == 200
    checkout = BeautifulSoup(make_run.get("/checkout/", shopper).text, "html.parser")
    form = checkout.find("input", {"name": "idempotency_key"}).find_parent("form")
    data = {}
    for field in form.find_all("input"):
        name = field.get("name")
        if not name or (field.get("type") == "radio" and name in data):
            continue
        data[name] = field.get("value", "")
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    data.update(
        email=email,
        full_name="Grace Guest",
        phone="+44 20 7946 0000",
        address_line1="1 Harbour Road",
        postal_code="AB1 2CD",
        city="Portsmouth",
        country="United Kingdom",
    )
    placed = shopper.post(make_run.url + "/checkout/", data=data)
    assert placed.status_code == 200, placed.text[:2000]
    return email


def test_every_absolute_url_carries_the_port_served(make_run, first_response):
    origin = f"http://127.0.0.1:{make_run.port}"
    sitemap = make_run.get("/sitemap.xml").text
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith(origin + "/") for loc in locations), locations[:5]

    post_url = next(loc for loc in locations if "/blog/" in loc and loc.rstrip("/").count("/") > 3)
    post = BeautifulSoup(make_run.get(post_url[len(origin) :]).text, "html.parser")
    assert post.find("link", rel="canonical")["href"] == post_url
    assert post.find("meta", property="og:url")["content"] == post_url

    product_url = next(
        loc for loc in locations if "/shop/" in loc and loc.rstrip("/").count("/") > 4
    )
    email = guest_checkout(make_run, product_url[len(origin) :])
    # The confirmation is printed by the console backend once it is sent (on
    # the serving process's background thread, after work queued before it).
    wait_until(
        lambda: email in make_run.proc.log(), timeout=3600, interval=5, message="order email"
    )
    message = make_run.proc.log().split(email, 1)[1]
    link = re.search(r"https?://[^\s\"<>]+/orders/link/[^\s\"<>]+", message)
    assert link and link.group(0).startswith(origin + "/orders/link/"), message[:3000]
