"""A vector column that is pgvector on PostgreSQL and float32 bytes elsewhere.

One model field serves both modes of the platform: on PostgreSQL the column is
`vector(N)` (so HNSW indexes and `<=>` work in SQL); on SQLite it is a BLOB
holding little-endian float32, which the NumPy store reads into a matrix.
Python code always sees a float32 NumPy array.
"""

import numpy as np
from django.db import models
from pgvector import Vector


def _is_postgres(connection):
    return connection.vendor == "postgresql"


class EmbeddingField(models.Field):
    """A fixed-length float32 vector."""

    description = "Embedding vector"
    empty_strings_allowed = False

    def __init__(self, *args, dimensions, **kwargs):
        self.dimensions = dimensions
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["dimensions"] = self.dimensions
        return name, path, args, kwargs

    def db_type(self, connection):
        if _is_postgres(connection):
            return f"vector({self.dimensions})"
        return "blob"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        array = np.asarray(value, dtype="<f4")
        if array.shape != (self.dimensions,):
            raise ValueError(f"expected {self.dimensions} dimensions, got {array.shape}")
        if _is_postgres(connection):
            return Vector._to_db(array)
        return array.tobytes()

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, bytes | memoryview | bytearray):
            return np.frombuffer(bytes(value), dtype="<f4").copy()
        return np.asarray(Vector._from_db(value), dtype=np.float32)

    def to_python(self, value):
        if value is None or isinstance(value, np.ndarray):
            return value
        return np.asarray(value, dtype=np.float32)
