"""Many readers in one chat room on one Daphne process, and messages to all of them.

    .venv/bin/python bench/room_fanout.py [--members 500] [--messages 20]

Starts PostgreSQL, Redis and one Daphne process. Opens `--members` anonymous
sockets on one room (they read; each join broadcasts the presence count to
the room), then one signed-in member posts `--messages` messages, one at a
time, and the script measures how long each member waits for each message.
Prints connect times, the presence frames the joins cost, delivery latency
(p50/p95/p99), lost frames, socket errors and Daphne's memory per socket.
"""

import argparse
import asyncio
import json
import time

from environment import allow_open_files, bench_daphne, migrated_services, percentiles


class Member:
    """One browser tab in the room: a socket and the frames it received."""

    def __init__(self, cookie=None):
        self.cookie = cookie
        self.socket = None
        self.error = None
        self.arrivals = {}  # message text -> time received
        self.presence_frames = 0
        self.reader = None

    async def connect(self, url, origin):
        import websockets

        headers = {"Origin": origin}
        if self.cookie:
            headers["Cookie"] = f"sessionid={self.cookie}"
        started = time.perf_counter()
        try:
            self.socket = await websockets.connect(
                url, additional_headers=headers, open_timeout=60, max_queue=None
            )
            first = json.loads(await asyncio.wait_for(self.socket.recv(), 60))
            if first.get("type") != "history":
                self.error = f"unexpected first frame {first.get('type')}"
        except Exception as error:  # counted and reported, never hidden
            self.error = type(error).__name__
            return None
        self.reader = asyncio.create_task(self.read())
        return (time.perf_counter() - started) * 1000

    async def read(self):
        try:
            async for raw in self.socket:
                frame = json.loads(raw)
                if frame["type"] == "message":
                    self.arrivals[frame["text"]] = time.time()
                elif frame["type"] == "presence":
                    self.presence_frames += 1
                elif frame["type"] == "error":
                    self.error = self.error or frame["code"]
        except Exception as error:
            self.error = self.error or type(error).__name__

    async def close(self):
        if self.reader:
            self.reader.cancel()
        if self.socket:
            await self.socket.close()


def poster_session():
    """A room, and a signed-in poster's session key: (room slug, key)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from chat.rooms.models import Room

    room = Room.objects.create(name="Bench room", slug="bench-room")
    user = get_user_model().objects.create_user("bench-poster", "bench@example.com")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return room.slug, store.session_key


async def wait_for(members, text, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if all(text in member.arrivals or member.error for member in members):
            return
        await asyncio.sleep(0.02)


async def run(args, daphne, process):
    from asgiref.sync import sync_to_async

    slug, cookie = await sync_to_async(poster_session)()
    url = f"{daphne.ws_url}/ws/rooms/{slug}/"
    idle_rss = process.memory_info().rss
    readers = [Member() for _ in range(args.members)]

    # Readers arrive in waves of 50, as tabs open over a few seconds.
    started = time.perf_counter()
    connect_times = []
    for offset in range(0, len(readers), 50):
        wave = readers[offset : offset + 50]
        connect_times += [
            t for t in await asyncio.gather(*(m.connect(url, daphne.url) for m in wave)) if t
        ]
    poster = Member(cookie)
    await poster.connect(url, daphne.url)
    members = [member for member in [*readers, poster] if member.socket and not member.error]
    connect_total = time.perf_counter() - started
    # Let the presence broadcasts of the joins drain before measuring.
    await asyncio.sleep(2)
    open_rss = process.memory_info().rss
    print(f"{len(members)}/{len(readers) + 1} sockets open in {connect_total:.1f} s")
    p50, p95, p99 = percentiles(connect_times)
    print(f"connect + history frame: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms")
    presence_frames = sum(member.presence_frames for member in members)
    print(f"presence frames delivered while they joined: {presence_frames}")
    print(
        f"Daphne RSS: idle {idle_rss / 2**20:.0f} MiB, with sockets open "
        f"{open_rss / 2**20:.0f} MiB "
        f"({(open_rss - idle_rss) / 2**10 / max(len(members), 1):.0f} KiB per socket)"
    )

    delays, lost = [], 0
    for number in range(args.messages):
        text = f"bench message {number}"
        sent = time.time()
        await poster.socket.send(json.dumps({"type": "message", "text": text}))
        await wait_for(members, text)
        arrived = [member.arrivals.get(text) for member in members]
        delays += [(at - sent) * 1000 for at in arrived if at]
        lost += sum(1 for at in arrived if at is None)
    p50, p95, p99 = percentiles(delays)
    print(
        f"{args.messages} messages to {len(members)} members, send to frame: p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(delays):.0f} ms; lost {lost}"
    )
    errors = [member.error for member in [*readers, poster] if member.error]
    print(f"socket errors: {len(errors)} {sorted(set(errors))}")
    await asyncio.gather(*(member.close() for member in [*readers, poster]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    allow_open_files(4 * args.members)
    # One poster sends every message: lift the per-user rate limit.
    limit = {"CHAT_ROOM_RATE_LIMIT": str(args.messages + 1)}
    with migrated_services(), bench_daphne(limit) as (daphne, process):
        asyncio.run(run(args, daphne, process))


if __name__ == "__main__":
    main()
