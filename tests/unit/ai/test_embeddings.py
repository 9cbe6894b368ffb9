import logging

import numpy as np

from ai import embeddings
from ai.models import EMBEDDING_DIMENSIONS


def test_warm_up_loads_the_process_model_in_a_background_thread():
    thread = embeddings.warm_up_in_background()
    assert thread.daemon and thread.name == "embedding-warm-up"
    thread.join(timeout=120)
    assert not thread.is_alive()
    embedder = embeddings.get_embedder()
    assert embedder._model is not None  # loaded by the thread, not by the next call
    vectors = embedder.encode(["a warm model answers at once"])
    assert vectors.shape == (1, EMBEDDING_DIMENSIONS)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)


def test_a_failed_warm_up_is_logged_and_leaves_the_process_as_it_was(
    settings, tmp_path, monkeypatch, caplog
):
    settings.EMBEDDING_MODEL = str(tmp_path / "no-such-model")
    monkeypatch.setattr(embeddings, "_embedder", None)
    with caplog.at_level(logging.ERROR, logger="ai.embeddings"):
        embeddings.warm_up_in_background().join(timeout=120)
    assert "Warming up the embedding model failed" in caplog.text
    assert "is not a sentence-transformers directory" in caplog.text
    assert embeddings._embedder is None  # nothing half-made is kept for later use
