"""1,000 open notification sockets on one Daphne process, and one event for all.

    .venv/bin/python bench/notifications_fanout.py [--users 1000] [--rounds 3]

Starts PostgreSQL, Redis and one Daphne process. Every user signs in (a real
session cookie) and opens ws/notifications/; the script then calls notify()
for all of them at once, as a site-wide announcement would, and measures how
long each socket waits for its frame. It also sends single notifications to
random users one at a time, the common case. Prints connect times, fan-out
and single-delivery latency, lost frames and Daphne's memory per connection.
"""

import argparse
import asyncio
import json
import random
import time

from environment import allow_open_files, bench_daphne, migrated_services, percentiles


class Client:
    """One signed-in browser tab: a socket and the times its frames arrived."""

    def __init__(self, user_id, cookie):
        self.user_id = user_id
        self.cookie = cookie
        self.socket = None
        self.error = None
        self.arrivals = []  # (time received, frame)
        self.reader = None

    async def connect(self, url, origin):
        import websockets

        started = time.perf_counter()
        try:
            self.socket = await websockets.connect(
                url,
                additional_headers={"Origin": origin, "Cookie": f"sessionid={self.cookie}"},
                open_timeout=60,
                max_queue=None,
            )
            first = json.loads(await asyncio.wait_for(self.socket.recv(), 60))
            if first.get("type") != "unread_count":
                self.error = f"unexpected first frame {first.get('type')}"
        except Exception as error:  # counted and reported, never hidden
            self.error = type(error).__name__
            return None
        self.reader = asyncio.create_task(self.read())
        return (time.perf_counter() - started) * 1000

    async def read(self):
        try:
            async for message in self.socket:
                self.arrivals.append((time.time(), json.loads(message)))
        except Exception as error:
            self.error = self.error or type(error).__name__

    def received(self, title):
        """Arrival time of the notification frame with this title, or None."""
        for arrived, frame in self.arrivals:
            if frame.get("type") == "notification" and title in frame["notification"]["text"]:
                return arrived
        return None

    async def close(self):
        if self.reader:
            self.reader.cancel()
        if self.socket:
            await self.socket.close()


def create_users_and_sessions(count):
    """`count` active users, each with a signed-in session; [(user id, key)]."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    User = get_user_model()
    users = [
        User(username=f"bench-{index}", email=f"bench-{index}@example.com")
        for index in range(count)
    ]
    for user in users:
        user.set_unusable_password()  # sessions are made directly, no sign-in form
    User.objects.bulk_create(users)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in User.objects.filter(username__startswith="bench-"):
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append((user.pk, store.session_key))
    return sessions


async def wait_for(clients, title, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(client.received(title) or client.error for client in clients):
            return
        await asyncio.sleep(0.05)


async def run(args, daphne, process):
    from asgiref.sync import sync_to_async
    from django.contrib.auth import get_user_model

    from notifications import services
    from notifications.services import notify

    # Time the two halves of notify(): writing rows, then announcing (after commit).
    announced = []
    original_announce = services.announce

    def timed_announce(pings):
        begun = time.time()
        original_announce(pings)
        announced.append((begun, time.time()))

    services.announce = timed_announce
    sessions = await sync_to_async(create_users_and_sessions)(args.users)
    users = {user.pk: user for user in await sync_to_async(list)(get_user_model().objects.all())}
    clients = [Client(user_id, key) for user_id, key in sessions]
    url = f"{daphne.ws_url}/ws/notifications/"
    idle_rss = process.memory_info().rss

    # Connect in waves of 50, as tabs open over a few seconds.
    started = time.perf_counter()
    connect_times = []
    for offset in range(0, len(clients), 50):
        wave = clients[offset : offset + 50]
        connect_times += [
            t for t in await asyncio.gather(*(c.connect(url, daphne.url) for c in wave)) if t
        ]
    connect_total = time.perf_counter() - started
    connected = [client for client in clients if client.socket and not client.error]
    await asyncio.sleep(1)
    open_rss = process.memory_info().rss
    print(f"{len(connected)}/{len(clients)} sockets open in {connect_total:.1f} s")
    p50, p95, p99 = percentiles(connect_times)
    print(f"connect + first frame: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    print(
        f"Daphne RSS: idle {idle_rss / 2**20:.0f} MiB, with sockets open "
        f"{open_rss / 2**20:.0f} MiB "
        f"({(open_rss - idle_rss) / 2**10 / max(len(connected), 1):.0f} KiB per connection)"
    )

    everyone = [users[client.user_id] for client in connected]
    for round_number in range(1, args.rounds + 1):
        title = f"Announcement {round_number}"
        sent = time.time()
        await sync_to_async(notify)(everyone, "page_published", data={"title": title, "url": "/"})
        finished = time.time()
        announce_began, announce_ended = announced[-1]
        await wait_for(connected, title)
        delays = [
            (arrived - sent) * 1000
            for arrived in (client.received(title) for client in connected)
            if arrived
        ]
        lost = len(connected) - len(delays)
        p50, p95, p99 = percentiles(delays)
        after_commit = [
            (arrived - announce_began) * 1000
            for arrived in (client.received(title) for client in connected)
            if arrived
        ]
        c50, _, c99 = percentiles(after_commit)
        print(
            f"fan-out {round_number}: notify() for {len(everyone)} users took "
            f"{(finished - sent) * 1000:.0f} ms (rows {(announce_began - sent) * 1000:.0f} ms, "
            f"publishing {(announce_ended - announce_began) * 1000:.0f} ms); "
            f"frame after notify() started: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
            f"p99 {p99:.0f} ms, last {max(delays):.0f} ms; after commit: p50 {c50:.0f} ms, "
            f"p99 {c99:.0f} ms; lost {lost}"
        )

    singles = []
    sample = random.sample(connected, min(100, len(connected)))
    for index, client in enumerate(sample):
        title = f"Just for you {index}"
        sent = time.time()
        await sync_to_async(notify)(
            [users[client.user_id]], "page_published", data={"title": title, "url": "/"}
        )
        await wait_for([client], title, timeout=10)
        arrived = client.received(title)
        if arrived:
            singles.append((arrived - sent) * 1000)
    p50, p95, p99 = percentiles(singles)
    print(
        f"single notifications ({len(singles)} of {len(sample)} delivered): notify() to frame "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms"
    )
    errors = [client.error for client in clients if client.error]
    print(f"socket errors: {len(errors)} {sorted(set(errors))}")
    print(f"Daphne RSS after the run: {process.memory_info().rss / 2**20:.0f} MiB")
    await asyncio.gather(*(client.close() for client in clients))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    allow_open_files(4 * args.users)
    with migrated_services(), bench_daphne() as (daphne, process):
        asyncio.run(run(args, daphne, process))


if __name__ == "__main__":
    main()
