"""Assistant time to first token, excluding the language model.

    .venv/bin/python bench/chat_first_token.py [--chunks 100000] [--questions 200]

Starts PostgreSQL with pgvector, fills ai_chunk with clustered unit vectors,
then times what the server does before the first token can come back: embed
the question (the real bundled model), retrieve the top chunks from pgvector
with the privacy filter, and build the prompt. Prints p50/p99 per stage and
in total.
"""

import argparse
import time

import numpy as np
from environment import migrated_services, percentiles
from vector_search import bench_pages, fill

QUESTIONS = [
    "How do I keep a sourdough starter alive in winter?",
    "What is the best way to fix a puncture by the road?",
    "When can I see the Perseid meteors?",
    "How does the city clean its drinking water?",
    "Which notebook has the best paper for fountain pens?",
    "How should I season a cast iron pan?",
    "What happens at the wholesale fish market at night?",
    "Is kombucha safe to brew at home?",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    with migrated_services(redis=False):
        from ai import vector_store
        from ai.embeddings import get_embedder
        from ai.llm import Passage
        from ai.models import Chunk
        from chat.assistant.prompting import build_prompt

        page_ids, content_type_id = bench_pages()
        rng = np.random.default_rng(7)
        fill(args.chunks, rng, page_ids, content_type_id)
        Chunk.objects.update(text="The keeper trimmed the lamp wick every four hours. " * 12)
        embedder = get_embedder()
        embedder.model()
        for question in QUESTIONS:  # warm up the model and the index
            vector_store.search(Chunk, embedder.encode([question])[0], 6)

        stages = {"embed": [], "retrieve": [], "prompt": [], "total": []}
        for index in range(args.questions):
            question = QUESTIONS[index % len(QUESTIONS)]
            started = time.perf_counter()
            vector = embedder.encode([question])[0]
            embedded = time.perf_counter()
            hits = vector_store.search(Chunk, vector, 6)
            retrieved = time.perf_counter()
            passages = [
                Passage(number=n, title="Bench page", text=hit.row.text, score=hit.score)
                for n, hit in enumerate(hits, start=1)
            ]
            build_prompt(question, passages)
            finished = time.perf_counter()
            stages["embed"].append((embedded - started) * 1000)
            stages["retrieve"].append((retrieved - embedded) * 1000)
            stages["prompt"].append((finished - retrieved) * 1000)
            stages["total"].append((finished - started) * 1000)
        print(f"{args.chunks} chunks on pgvector, {args.questions} questions, k=6")
        for name, samples in stages.items():
            p50, _, p99 = percentiles(samples)
            print(f"{name:9} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
        print("target: total p99 <= 50 ms")


if __name__ == "__main__":
    main()
