"""Rebuild the AI index: chunk and embed every live, public page."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from tqdm import tqdm

from ai import jobs
from ai.embeddings import get_embedder
from ai.index_plan import pages_owing_index
from ai.indexing import Outcome, build_chunks, embedding_input, unindex_page, write_index
from ai.models import IndexJob


class Command(BaseCommand):
    help = (
        "Re-embed every live, public page into the AI index, in batches across "
        "pages. Each page is stored as soon as its batch is embedded, so a run "
        "stopped at any point keeps every page it finished, and the next run "
        "skips them (and pages with nothing to index) unless --force; pages no "
        "longer live and public are removed."
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
        # The connection pool logs every failed attempt while it waits; the
        # command reports a dead database itself, in one line.
        pool_logger = logging.getLogger("psycopg.pool")
        pool_level = pool_logger.level
        pool_logger.setLevel(logging.ERROR)
        try:
            self.reindex(batch_size, force, no_progress, options["verbosity"])
        except DatabaseError as error:
            # One line an operator can act on, not a traceback.
            reason = " ".join(str(error).split()) or type(error).__name__
            database = connection.settings_dict
            where = (
                f"{database['HOST']}:{database['PORT']}" if database["HOST"] else database["NAME"]
            )
            raise CommandError(
                f"The database at {where} is unreachable or failed: {reason}"
            ) from error
        finally:
            pool_logger.setLevel(pool_level)

    def reindex(self, batch_size, force, no_progress, verbosity):
        plan = pages_owing_index(force=force)
        for page_id in plan.gone:
            unindex_page(page_id)
        self.stdout.write(
            f"{plan.total} live public pages: {plan.total - len(plan.todo)} up to date, "
            f"{len(plan.todo)} to index."
        )
        embedder = get_embedder()
        embedder.model()  # load before the clock starts: the figure is throughput
        started = time.monotonic()
        self.pages = self.chunks = 0
        self.verbosity = verbosity
        self.bar = tqdm(
            total=len(plan.todo),
            unit="page",
            disable=no_progress or not plan.todo,
            file=self.stderr._out,
            dynamic_ncols=True,
        )
        group = []  # (page, revision id, drafts): pages whose chunks await the model
        with self.bar:
            for page_id, page in plan.iter_pages():
                drafts = build_chunks(page) if page is not None else None
                if page is None or not drafts:
                    # Nothing to embed (a text-less page, or a type that is not
                    # indexed): done with 0 chunks, not "to index" forever.
                    self.store_empty(page_id, page, drafts)
                    continue
                group.append((page, page.live_revision_id, drafts))
                # One forward pass per group: a kill loses at most the pages
                # of the pass under way, never a finished one.
                if sum(len(item[2]) for item in group) >= batch_size:
                    self.embed_and_store(group, embedder, batch_size)
                    group = []
            if group:
                self.embed_and_store(group, embedder, batch_size)
        elapsed = time.monotonic() - started
        rate = self.chunks / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {self.pages} pages, {self.chunks} chunks in {elapsed:.1f} s "
                f"({rate:.1f} chunks/s)."
            )
        )

    def embed_and_store(self, group, embedder, batch_size):
        """Embed a group of pages' chunks in one go, then store each page."""
        texts = [
            embedding_input(page.title, draft) for page, _, drafts in group for draft in drafts
        ]
        vectors = embedder.encode(texts, batch_size=batch_size)
        offset = 0
        for page, revision_id, drafts in group:
            page_vectors = vectors[offset : offset + len(drafts)]
            offset += len(drafts)
            result = write_index(page, revision_id, drafts, page_vectors, force=True)
            jobs.record_done(
                page.pk, IndexJob.Kind.INDEX, revision_id, result.outcome.value, result.chunks
            )
            self.stored(page, result.chunks)

    def store_empty(self, page_id, page, drafts):
        """Record a page with nothing to embed as indexed with no chunks."""
        unindex_page(page_id)
        if page is not None:
            outcome = Outcome.NOT_INDEXABLE if drafts is None else Outcome.INDEXED
            jobs.record_done(page_id, IndexJob.Kind.INDEX, page.live_revision_id, outcome.value, 0)
        self.stored(page, 0)

    def stored(self, page, chunks):
        self.pages += 1
        self.chunks += chunks
        self.bar.set_postfix_str(f"{self.chunks} chunks stored", refresh=False)
        self.bar.update(1)
        if self.verbosity >= 2 and page is not None:
            self.bar.write(f"stored page {page.pk}: {chunks} chunks", file=self.stdout._out)
