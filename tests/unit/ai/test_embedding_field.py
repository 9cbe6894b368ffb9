"""EmbeddingField: float32 bytes on SQLite, pgvector's `vector(N)` text form on
PostgreSQL, a float32 NumPy array in Python either way (through pgvector's
public `Vector` API)."""

import json
from types import SimpleNamespace

import numpy as np
import pytest
from django.core import serializers
from django.db import connection
from pgvector import Vector
from pgvector.django import VectorField

from ai.fields import EmbeddingField
from ai.models import EMBEDDING_DIMENSIONS, Chunk
from tests.factories import StandardPageFactory

POSTGRES = SimpleNamespace(vendor="postgresql")
FIELD = Chunk._meta.get_field("embedding")


def unit_vector(seed):
    vector = np.random.default_rng(seed).standard_normal(EMBEDDING_DIMENSIONS)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def make_chunk(page, vector, position=0):
    return Chunk.objects.create(
        page=page,
        content_type=page.content_type,
        position=position,
        text="A passage.",
        token_count=2,
        embedding=vector,
    )


def test_is_pgvectors_vector_field_with_a_blob_column_elsewhere():
    assert isinstance(FIELD, VectorField)
    assert FIELD.db_type(POSTGRES) == f"vector({EMBEDDING_DIMENSIONS})"
    assert FIELD.db_type(SimpleNamespace(vendor="sqlite")) == "blob"
    assert FIELD.deconstruct()[1:] == (
        "ai.fields.EmbeddingField",
        [],
        {"dimensions": EMBEDDING_DIMENSIONS},
    )


@pytest.mark.django_db
def test_a_vector_round_trips_bit_for_bit_through_sqlite():
    vector = unit_vector(1)
    chunk = make_chunk(StandardPageFactory(), vector)
    with connection.cursor() as cursor:
        cursor.execute("SELECT embedding FROM ai_chunk WHERE id = %s", [chunk.pk])
        (stored,) = cursor.fetchone()
    assert bytes(stored) == vector.astype("<f4").tobytes()
    loaded = Chunk.objects.get(pk=chunk.pk).embedding
    assert loaded.dtype == np.float32
    assert np.array_equal(loaded, vector)


def test_postgres_gets_pgvectors_text_form_that_reads_back_exactly():
    vector = unit_vector(2)
    text = FIELD.get_db_prep_value(vector, POSTGRES)
    assert text == Vector(vector).to_text()
    assert text.startswith("[") and text.count(",") == EMBEDDING_DIMENSIONS - 1
    loaded = FIELD.from_db_value(text, None, POSTGRES)
    assert loaded.dtype == np.float32
    assert np.array_equal(loaded, vector)
    # With pgvector's psycopg adapter registered the driver returns Vector objects.
    assert np.array_equal(FIELD.from_db_value(Vector(vector), None, POSTGRES), vector)


def test_lists_are_accepted_and_stored_as_float32():
    values = [0.5] * EMBEDDING_DIMENSIONS
    assert (
        FIELD.get_db_prep_value(values, connection)
        == np.full(EMBEDDING_DIMENSIONS, 0.5, dtype="<f4").tobytes()
    )
    assert FIELD.get_db_prep_value(values, POSTGRES) == Vector(values).to_text()


@pytest.mark.parametrize("target", [connection, POSTGRES], ids=["sqlite", "postgresql"])
def test_a_vector_of_the_wrong_length_is_refused_with_a_clear_error(target):
    with pytest.raises(ValueError, match=f"expected {EMBEDDING_DIMENSIONS} dimensions"):
        FIELD.get_db_prep_value(np.ones(3, dtype=np.float32), target)


def test_none_stays_none():
    assert FIELD.get_db_prep_value(None, POSTGRES) is None
    assert FIELD.get_db_prep_value(None, connection) is None
    assert FIELD.from_db_value(None, None, POSTGRES) is None


@pytest.mark.django_db
def test_dumpdata_and_loaddata_round_trip_the_vector():
    vector = unit_vector(3)
    chunk = make_chunk(StandardPageFactory(), vector)
    dumped = serializers.serialize("json", Chunk.objects.filter(pk=chunk.pk))
    assert json.loads(dumped)[0]["fields"]["embedding"] == Vector(vector).to_text()
    Chunk.objects.all().delete()
    for restored in serializers.deserialize("json", dumped):
        restored.save()
    assert np.array_equal(Chunk.objects.get(pk=chunk.pk).embedding, vector)


def test_a_field_without_dimensions_cannot_be_declared():
    with pytest.raises(TypeError):
        EmbeddingField()
