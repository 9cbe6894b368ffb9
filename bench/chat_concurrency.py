"""200 concurrent assistant connections on one Daphne process.

    .venv/bin/python bench/chat_concurrency.py [--clients 200] [--tokens 40]

Starts PostgreSQL, Redis, a local chat-completions server and one Daphne
process configured for Groq (the real groq SDK against the local server).
Every client connects, asks a question about one indexed page and reads the
streamed answer. Each token carries the time the model server sent it, so the
client measures token latency through Daphne. Prints errors, time to first
token, token latency p50/p99 and Daphne's memory.
"""

import argparse
import asyncio
import contextlib
import json
import time

from environment import bench_daphne, migrated_services, percentiles


async def one_client(url, origin, page_id, results):
    import websockets

    record = {"error": None, "first_token": None, "latencies": [], "tokens": 0}
    results.append(record)
    try:
        async with websockets.connect(
            url, additional_headers={"Origin": origin}, open_timeout=60
        ) as socket:
            asked = time.time()
            await socket.send(
                json.dumps(
                    {"type": "ask", "question": "What did the keeper do?", "page_id": page_id}
                )
            )
            while True:
                frame = json.loads(await asyncio.wait_for(socket.recv(), 120))
                now = time.time()
                if frame["type"] == "token":
                    record["tokens"] += 1
                    if record["first_token"] is None:
                        record["first_token"] = (now - asked) * 1000
                    with contextlib.suppress(ValueError):  # only timestamp tokens count
                        record["latencies"].append((now - float(frame["text"])) * 1000)
                elif frame["type"] == "done":
                    return
                elif frame["type"] == "error":
                    record["error"] = frame["code"]
                    return
    except Exception as error:  # counted and reported, never hidden
        record["error"] = type(error).__name__


async def run_clients(count, url, origin, page_id):
    results = []
    await asyncio.gather(*(one_client(url, origin, page_id, results) for _ in range(count)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=40)
    args = parser.parse_args()
    with migrated_services():
        from ai import indexing
        from home.models import HomePage, StandardPage
        from tests.llm_server import ChatCompletionsServer, Scripted

        home = HomePage.objects.get()
        page = home.add_child(
            instance=StandardPage(
                title="The lighthouse keeper",
                slug="keeper",
                intro="The keeper trimmed the wick every four hours and polished the lens daily.",
            )
        )
        page.save_revision().publish()
        indexing.index_page(page.pk)
        with ChatCompletionsServer() as llm_server:
            llm_server.default = Scripted(
                text=" ".join(["t"] * args.tokens), timestamps=True, token_delay=0.02
            )
            groq = {
                "GROQ_API_KEY": "gsk_bench",
                "GROQ_BASE_URL": llm_server.base_url,
                "LLM_TIMEOUT": "60",
                "CHAT_RATE_LIMIT": "100000",
            }
            with bench_daphne(groq) as (daphne, process):
                # One question first: Daphne loads the embedding model (seconds) once.
                asyncio.run(run_clients(1, f"{daphne.ws_url}/ws/assistant/", daphne.url, page.pk))
                idle_rss = process.memory_info().rss
                started = time.time()
                results = asyncio.run(
                    run_clients(args.clients, f"{daphne.ws_url}/ws/assistant/", daphne.url, page.pk)
                )
                elapsed = time.time() - started
                busy_rss = process.memory_info().rss
        errors = [r["error"] for r in results if r["error"]]
        complete = [r for r in results if not r["error"] and r["tokens"] >= args.tokens]
        latencies = [value for r in results for value in r["latencies"]]
        firsts = [r["first_token"] for r in results if r["first_token"] is not None]
        print(f"{args.clients} clients, {args.tokens} tokens each, in {elapsed:.1f} s")
        print(f"errors: {len(errors)} {sorted(set(errors))}; complete answers: {len(complete)}")
        if firsts:
            p50, _, p99 = percentiles(firsts)
            print(f"time to first token: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        if latencies:
            p50, _, p99 = percentiles(latencies)
            print(f"token latency (model server -> client): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        print(
            f"Daphne RSS: warm and idle {idle_rss / 2**20:.0f} MiB, after the run "
            f"{busy_rss / 2**20:.0f} MiB "
            f"({(busy_rss - idle_rss) / 2**10 / max(args.clients, 1):.0f} KiB per connection)"
        )


if __name__ == "__main__":
    main()
