"""A vector column that is pgvector on PostgreSQL and float32 bytes elsewhere.

One model field serves both modes of the platform: on PostgreSQL it is
pgvector's `VectorField`, a `vector(N)` column (so HNSW indexes and `<=>` work
in SQL); on SQLite it is a BLOB holding little-endian float32, which the NumPy
store reads into a matrix. Python code always sees a float32 NumPy array.
Conversions to and from pgvector's text form go through pgvector's public
`Vector` class.
"""

import numpy as np
from pgvector import Vector
from pgvector.django import VectorField

BLOB_DTYPE = np.dtype("<f4")


def _is_postgres(connection):
    return connection.vendor == "postgresql"


class EmbeddingField(VectorField):
    """A fixed-length float32 vector."""

    description = "Embedding vector"

    def __init__(self, *args, dimensions, **kwargs):
        super().__init__(*args, dimensions=dimensions, **kwargs)

    def db_type(self, connection):
        if _is_postgres(connection):
            return super().db_type(connection)
        return "blob"

    def get_prep_value(self, value):
        """`value` as a float32 array of the declared length, or None."""
        if value is None:
            return None
        array = np.asarray(self.to_python(value), dtype=np.float32)
        if array.shape != (self.dimensions,):
            raise ValueError(f"expected {self.dimensions} dimensions, got {array.shape}")
        return array

    def get_db_prep_value(self, value, connection, prepared=False):
        """pgvector's text form on PostgreSQL, float32 bytes elsewhere."""
        # Prepared again whatever `prepared` says (it is idempotent), so the
        # dimension check runs on every path Django takes to the database.
        value = self.get_prep_value(value)
        if value is None:
            return None
        if _is_postgres(connection):
            return Vector(value).to_text()
        return value.astype(BLOB_DTYPE, copy=False).tobytes()

    def from_db_value(self, value, expression, connection):
        """The stored vector as a float32 array."""
        if value is None:
            return None
        if isinstance(value, bytes | memoryview | bytearray):
            return np.frombuffer(bytes(value), dtype=BLOB_DTYPE).astype(np.float32)
        return self.to_python(value)

    def to_python(self, value):
        """A float32 array from an array, a list, a pgvector `Vector` or its text form."""
        if value is None:
            return None
        if isinstance(value, Vector):
            return value.to_numpy().copy()
        if isinstance(value, str):
            return Vector.from_text(value).to_numpy().copy()
        return np.asarray(value, dtype=np.float32)

    def value_to_string(self, obj):
        """pgvector's text form, so dumpdata/loaddata round-trip in either mode."""
        value = self.get_prep_value(self.value_from_object(obj))
        return "" if value is None else Vector(value).to_text()
