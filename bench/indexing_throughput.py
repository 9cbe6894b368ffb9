"""Indexing throughput: the pipeline's chunks/s against raw model.encode.

    .venv/bin/python bench/indexing_throughput.py [--batch-size 64]

Starts a throwaway PostgreSQL with pgvector, loads the demo content without
indexing it, then (1) runs the real pipeline (`manage.py reindex --force`:
chunking, embedding, writing to pgvector) and (2) encodes exactly the same
texts with `SentenceTransformer.encode` alone, in one run, and prints both.
"""

import argparse
import time
from io import StringIO

from environment import migrated_services


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    with migrated_services(redis=False):
        from django.core.management import call_command
        from wagtail.models import Page

        from ai.embeddings import get_embedder
        from ai.indexing import build_chunks, embedding_input
        from ai.models import Chunk

        call_command("seed_demo", "--without-ai", stdout=StringIO())
        embedder = get_embedder()
        embedder.model()  # loading time is not throughput

        started = time.perf_counter()
        out = StringIO()
        call_command(
            "reindex", "--force", "--no-progress", f"--batch-size={args.batch_size}", stdout=out
        )
        pipeline_seconds = time.perf_counter() - started
        chunks = Chunk.objects.count()

        texts = []
        # order_by(): the model's ordering would otherwise enter the DISTINCT
        # and repeat each page once per chunk.
        for page_id in (
            Chunk.objects.order_by("page_id").values_list("page_id", flat=True).distinct()
        ):
            page = Page.objects.get(pk=page_id).specific
            texts.extend(embedding_input(page.title, draft) for draft in build_chunks(page))
        started = time.perf_counter()
        embedder.model().encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
        raw_seconds = time.perf_counter() - started

        pipeline_rate = chunks / pipeline_seconds
        raw_rate = len(texts) / raw_seconds
        print(out.getvalue().strip())
        print(
            f"pipeline: {chunks} chunks in {pipeline_seconds:.1f} s = {pipeline_rate:.1f} chunks/s"
        )
        print(f"raw encode: {len(texts)} texts in {raw_seconds:.1f} s = {raw_rate:.1f} chunks/s")
        print(f"pipeline / raw = {pipeline_rate / raw_rate:.2f} (target >= 0.9)")


if __name__ == "__main__":
    main()
