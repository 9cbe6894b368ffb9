"""Likes are idempotent under real concurrency on PostgreSQL: threads in this
process and simultaneous HTTP requests to Daphne end with one row."""

import json
import secrets
import threading
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from blog.models import BlogIndexPage, PostPage
from community.likes import set_like
from community.models import Like
from community.signals import liked

WORKERS = 8


def new_post():
    """A new live post in the demo blog. (A blog index of our own would make
    seed_demo, which runs later in the session, skip the demo blog.)"""
    blog = BlogIndexPage.objects.get(slug="blog")
    post = blog.add_child(
        instance=PostPage(
            title="Liked at once", slug=f"liked-{uuid.uuid4().hex[:8]}", intro="Race."
        )
    )
    return PostPage.objects.get(pk=post.pk)


def new_reader():
    name = f"fan-{uuid.uuid4().hex[:8]}"
    return get_user_model().objects.create_user(name, f"{name}@example.com", "pw")


def test_threads_liking_at_once_leave_one_row(live_db, demo_site):
    post = new_post()
    fan = new_reader()
    announced = []

    def count_signal(sender, **kwargs):
        announced.append(kwargs["like"].pk)

    liked.connect(count_signal)
    start = threading.Barrier(WORKERS)

    def like_it(_):
        start.wait()
        try:
            return set_like(fan, post, True)
        finally:
            connection.close()  # each thread had its own connection

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            states = list(pool.map(like_it, range(WORKERS)))
    finally:
        liked.disconnect(count_signal)
    assert Like.objects.filter(user=fan, page=post).count() == 1
    assert all(state.liked and state.count == 1 for state in states)
    assert len(announced) == 1  # only the insert that won says so


def test_simultaneous_requests_to_daphne_leave_one_row(live_db, demo_site, daphne):
    post = new_post()
    fan = new_reader()
    client = Client()
    client.force_login(fan)
    csrf_secret = secrets.token_hex(16)  # 32 characters: Django's cookie format
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf_secret}"
    body = urllib.parse.urlencode({"target": f"page:{post.pk}", "liked": "1", "next": post.url})
    start = threading.Barrier(WORKERS)

    def click(_):
        request = urllib.request.Request(
            f"{daphne.url}/community/likes/",
            data=body.encode(),
            headers={
                "Cookie": cookie,
                "X-CSRFToken": csrf_secret,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
        )
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(click, range(WORKERS)))
    assert [status for status, _ in results] == [200] * WORKERS
    assert all('aria-pressed="true"' in html and ">1</span>" in html for _, html in results), (
        json.dumps([html[:300] for _, html in results])
    )
    assert Like.objects.filter(user=fan, page=post).count() == 1
