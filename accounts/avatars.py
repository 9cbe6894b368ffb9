"""Avatar uploads: checked by content (not by name), then re-encoded as a
small square thumbnail so no original file, EXIF data or oversized image is
ever stored or served."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 4000  # pixels on either side, before resizing
THUMBNAIL_SIZE = 256


def validate_avatar(upload):
    """Raise ValidationError unless `upload` is a JPEG, PNG or WebP picture of
    at most 2 MB and 4000x4000 pixels."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The picture is %(size).1f MB; the limit is 2 MB.",
            code="too_large",
            params={"size": upload.size / (1024 * 1024)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            "That file is not a picture we can read. Upload a JPEG, PNG or WebP image.",
            code="unreadable",
        ) from exc
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s pictures are not accepted. Upload a JPEG, PNG or WebP image.",
            code="format",
            params={"format": image_format or "That kind of"},
        )
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise ValidationError(
            "The picture is %(width)dx%(height)d pixels; the limit is %(max)dx%(max)d.",
            code="too_big",
            params={"width": width, "height": height, "max": MAX_DIMENSION},
        )


def square_thumbnail(upload):
    """A THUMBNAIL_SIZE square WebP, centre-cropped, EXIF orientation applied
    and metadata dropped, as a ContentFile with a random name."""
    upload.seek(0)
    with Image.open(upload) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        thumbnail = ImageOps.fit(
            image, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), method=Image.Resampling.LANCZOS
        )
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="WEBP", quality=85, method=4)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
