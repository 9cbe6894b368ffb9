"""Export the embedding model's network to ONNX for readers' queries."""

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from ai import query_encoder
from ai.embeddings import get_embedder

CHECK_TEXT = "How do I season a cast iron pan?"


class Command(BaseCommand):
    help = (
        "Export the embedding model (EMBEDDING_MODEL, or the bundled one) to "
        "EMBEDDING_ONNX_DIR for ONNX Runtime, which embeds readers' searches and "
        "questions about 3x cheaper than torch. Run it when building an image; "
        "a web process that finds no export makes one as it starts. Checks that "
        "the export gives the model's own vector."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Export again even if an export exists."
        )

    def handle(self, *args, force, **options):
        embedder = get_embedder()
        if embedder.onnx_path is None:
            raise CommandError(
                f"{embedder.model_path} is not a transformer with mean pooling and "
                "normalisation; its queries are embedded by torch"
            )
        path = embedder.onnx_path
        if force or not path.exists():
            query_encoder.export(embedder.model(), path)
        try:
            encoder = query_encoder.QueryEncoder(path, embedder.model_path, embedder.max_tokens)
        except Exception as error:
            raise CommandError(f"onnxruntime cannot load {path}: {error}") from error
        similarity = float(np.dot(encoder.encode(CHECK_TEXT), embedder.encode([CHECK_TEXT])[0]))
        if similarity < 0.9999:
            raise CommandError(
                f"the export at {path} gives a different vector (cosine {similarity:.6f})"
            )
        self.stdout.write(f"Query encoder: {path} (cosine to the model {similarity:.6f})")
