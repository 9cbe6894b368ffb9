"""Readers' queries through ONNX Runtime: the export gives the model's own
vectors, and every way it can be missing or broken falls back to torch."""

import io
import json
import logging
import shutil
import threading

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from ai import embeddings, query_encoder
from ai.embeddings import Embedder, default_model_path

TEXTS = [
    "How do I season a cast iron pan?",
    "bread",
    "Überraschung: café au lait, naïve résumé — 10 % off!",
    # Longer than the model reads (256 word pieces): both truncate alike.
    " ".join(f"word{number} tide moon harbour" for number in range(200)),
]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    """A directory holding the bundled model's export, made once by the command."""
    directory = tmp_path_factory.mktemp("onnx")
    with override_settings(EMBEDDING_ONNX_DIR=str(directory)):
        call_command("export_query_encoder", stdout=io.StringIO())
    return directory


@pytest.fixture
def exported(onnx_dir, settings):
    settings.EMBEDDING_ONNX_DIR = str(onnx_dir)
    return onnx_dir


def test_the_export_gives_the_models_own_vectors(exported):
    embedder = Embedder(default_model_path())
    expected = embedder.encode(TEXTS)
    assert embedder.query_encoder() is not None
    for text, vector in zip(TEXTS, expected, strict=True):
        got = embedder.encode_query(text)
        assert got.dtype == np.float32 and got.shape == vector.shape
        assert float(np.dot(got, vector)) > 0.9999, text[:40]


def test_queries_need_no_torch_model_once_exported(exported):
    embedder = Embedder(default_model_path())
    vector = embedder.encode_query("winter birds on the wetlands")
    assert embedder._model is None  # torch was never loaded for it
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


def test_without_an_export_queries_take_the_torch_path(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "empty")
    embedder = Embedder(default_model_path())
    vector = embedder.encode_query(TEXTS[0])
    assert embedder.query_encoder() is None
    assert float(np.dot(vector, embedder.encode([TEXTS[0]])[0])) > 0.9999
    assert not (tmp_path / "empty").exists()  # a query never exports


def test_a_broken_export_is_logged_and_queries_take_the_torch_path(
    exported, settings, tmp_path, caplog
):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in exported.iterdir():
        (broken / path.name).write_bytes(b"not an onnx graph")
    settings.EMBEDDING_ONNX_DIR = str(broken)
    embedder = Embedder(default_model_path())
    with caplog.at_level(logging.ERROR, logger="ai.query_encoder"):
        vector = embedder.encode_query(TEXTS[1])
        embedder.encode_query(TEXTS[0])
    assert caplog.text.count("The ONNX query encoder is unavailable") == 1  # tried once
    assert float(np.dot(vector, embedder.encode([TEXTS[1]])[0])) > 0.9999


def test_warming_up_exports_a_missing_encoder(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "fresh")
    embedder = Embedder(default_model_path())
    encoder = embedder.query_encoder(export_if_missing=True)
    assert encoder is not None
    files = [path for path in (tmp_path / "fresh").iterdir() if not path.name.startswith(".")]
    assert [path.suffix for path in files] == [".onnx"]  # no half-written leftovers


def test_a_process_waits_for_another_ones_export_and_loads_it(exported, settings, tmp_path):
    """gunicorn's workers warm up together: one exports, the others wait."""
    shared = tmp_path / "shared"
    settings.EMBEDDING_ONNX_DIR = str(shared)
    embedder = Embedder(default_model_path())
    result = {}
    with query_encoder._export_lock(shared):  # another process is exporting
        waiting = threading.Thread(
            target=lambda: result.update(encoder=embedder.query_encoder(export_if_missing=True))
        )
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive()  # it waits for the lock
        shutil.copy(exported / embedder.onnx_name, shared / embedder.onnx_name)
    waiting.join(timeout=60)
    assert result["encoder"] is not None
    assert embedder._model is None  # it loaded the other's export, made none of its own


def test_a_model_with_another_pooling_is_not_exported(settings, tmp_path, monkeypatch):
    model = tmp_path / "cls-model"
    shutil.copytree(default_model_path(), model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    assert not query_encoder.supports_export(model)
    settings.EMBEDDING_MODEL = str(model)
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "onnx")
    embedder = Embedder(model)
    assert embedder.onnx_path is None and embedder.query_encoder(export_if_missing=True) is None
    monkeypatch.setattr(embeddings, "_embedder", None)  # the command's, from the settings
    with pytest.raises(CommandError, match="mean pooling"):
        call_command("export_query_encoder")
