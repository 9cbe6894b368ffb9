"""Rebuild the HNSW indexes with the parameters that reach 0.99 top-5 recall."""

from django.db import migrations

# Frozen here (ai.vector_store.HNSW_INDEX_OPTIONS says the same today): a
# migration must build what it built when it was written.
HNSW_INDEX_OPTIONS = "WITH (m = 24, ef_construction = 128)"
TABLES = ("ai_chunk", "ai_pagevector")


def rebuild(options):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # the NumPy store is exact and has no index
        for table in TABLES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_embedding_hnsw")
            schema_editor.execute(
                f"CREATE INDEX {table}_embedding_hnsw ON {table} "
                f"USING hnsw (embedding vector_cosine_ops) {options}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("ai", "0002_index_job")]

    operations = [
        migrations.RunPython(
            rebuild(HNSW_INDEX_OPTIONS),
            rebuild("WITH (m = 16, ef_construction = 64)"),
            elidable=False,
        ),
    ]
