"""Avatar uploads: checked by content (not by name), fully decoded, then
re-encoded as a small square thumbnail so no original file, EXIF data or
oversized image is ever stored or served.

Everything happens while the form is cleaned: a picture that Pillow cannot
decode or re-encode (a truncated file, a PNG text chunk past
PngImagePlugin.MAX_TEXT_CHUNK, a decompression bomb) is a form error, never
a failure after the form was accepted.
"""

import io
import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 4000  # pixels on either side, checked before decoding
THUMBNAIL_SIZE = 256

UNREADABLE = "That file is not a picture we can read. Upload a JPEG, PNG or WebP image."


def avatar_thumbnail(upload):
    """The upload as a THUMBNAIL_SIZE square WebP ContentFile with a random
    name, or ValidationError with a message for the reader: over 2 MB, not a
    JPEG, PNG or WebP, over 4000x4000 pixels, or not fully decodable."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The picture is %(size).1f MB; the limit is 2 MB.",
            code="too_large",
            params={"size": upload.size / (1024 * 1024)},
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            _check_header(image)
            # Decodes every pixel and, for PNG, every chunk up to IEND: the
            # text chunks after the image data are only read here.
            # ImageFile.LOAD_TRUNCATED_IMAGES stays off, so a cut-off file fails.
            image.load()
            return _square_webp(image)
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        # Pillow refuses to open it at all: far past MAX_DIMENSION.
        raise ValidationError(
            "The picture has too many pixels; the limit is %(max)dx%(max)d.",
            code="too_big",
            params={"max": MAX_DIMENSION},
        ) from error
    except Exception as error:
        # Pillow reports hostile or broken files with many exception types
        # (OSError, ValueError, SyntaxError, struct.error, EOFError, ...);
        # each one means "cannot use this file".
        logger.info("Avatar upload refused: %r", error)
        raise ValidationError(UNREADABLE, code="unreadable") from error
    finally:
        upload.seek(0)


def _check_header(image):
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s pictures are not accepted. Upload a JPEG, PNG or WebP image.",
            code="format",
            params={"format": image.format or "That kind of"},
        )
    width, height = image.size
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise ValidationError(
            "The picture is %(width)dx%(height)d pixels; the limit is %(max)dx%(max)d.",
            code="too_big",
            params={"width": width, "height": height, "max": MAX_DIMENSION},
        )


def _square_webp(image):
    """Centre-cropped square WebP, EXIF orientation applied, metadata dropped."""
    image = ImageOps.exif_transpose(image)
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
