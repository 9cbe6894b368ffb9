"""Rebuild the AI index: chunk and embed every live, public page."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from ai.embeddings import get_embedder
from ai.indexing import build_chunks, embedding_input, unindex_page, write_index
from ai.models import PageVector
from core.privacy import public_pages

# Pages are embedded in groups of this many model batches. sentence-transformers
# sorts each call's texts by length, so a large call pads far less than many
# small ones (64 mixed-length chunks per call ran at 0.63x of one sorted call).
# A crash loses at most one group: the next run resumes from the pages stored.
BATCHES_PER_FLUSH = 16


class Command(BaseCommand):
    help = (
        "Re-embed every live, public page into the AI index, in batches across "
        "pages. Resumable: pages whose live revision is already indexed are "
        "skipped unless --force; pages no longer live and public are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=64,
            help="Chunks per forward pass of the model (default 64).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Re-embed pages that are already up to date."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size, force, no_progress, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        pages = dict(
            public_pages(Page.objects.live()).order_by("path").values_list("pk", "live_revision_id")
        )
        indexed = dict(PageVector.objects.values_list("page_id", "revision_id"))
        for page_id in set(indexed) - set(pages):
            unindex_page(page_id)
        todo = [pk for pk, revision in pages.items() if force or indexed.get(pk) != revision]
        self.stdout.write(
            f"{len(pages)} live public pages: {len(pages) - len(todo)} up to date, "
            f"{len(todo)} to index."
        )
        embedder = get_embedder()
        embedder.model()  # load before the clock starts: the figure is throughput
        started = time.monotonic()
        chunks = 0
        batch = []  # (page, revision id, drafts)
        for done, page_id in enumerate(todo, start=1):
            page = Page.objects.filter(pk=page_id).first()
            if page is not None:
                specific = page.specific
                drafts = build_chunks(specific)
                if drafts is None:
                    unindex_page(page_id)
                else:
                    batch.append((specific, page.live_revision_id, drafts))
            pending = sum(len(item[2]) for item in batch)
            if pending >= batch_size * BATCHES_PER_FLUSH or done == len(todo):
                chunks += self.flush(batch, embedder, batch_size, force)
                batch = []
            if not no_progress:
                self.progress(done, len(todo), chunks, started)
        elapsed = time.monotonic() - started
        if not no_progress and todo:
            self.stdout.write("")
        rate = chunks / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {len(todo)} pages, {chunks} chunks in {elapsed:.1f} s "
                f"({rate:.1f} chunks/s)."
            )
        )

    def flush(self, batch, embedder, batch_size, force):
        """Embed a batch of pages' chunks in one go, then store each page."""
        texts = [
            embedding_input(page.title, draft) for page, _, drafts in batch for draft in drafts
        ]
        vectors = embedder.encode(texts, batch_size=batch_size)
        stored, offset = 0, 0
        for page, revision_id, drafts in batch:
            page_vectors = vectors[offset : offset + len(drafts)]
            offset += len(drafts)
            result = write_index(page, revision_id, drafts, page_vectors, force=True)
            stored += result.chunks
        return stored

    def progress(self, done, total, chunks, started):
        width = 30
        filled = int(width * done / total)
        elapsed = time.monotonic() - started
        rate = chunks / elapsed if elapsed > 0 else 0.0
        bar = "#" * filled + "-" * (width - filled)
        sys.stdout.write(f"\r[{bar}] {done}/{total} pages, {chunks} chunks, {rate:.0f} chunks/s")
        sys.stdout.flush()
