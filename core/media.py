"""Local media in the embedded mode (FileSystemStorage): public image files
and avatars only, decided on the exact path that will be opened."""

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# The only folders under MEDIA_ROOT whose files are public: Wagtail image
# originals and renditions, reader avatars (accounts) and Wagtail admin
# avatars. Everything else (documents/, Wagtail's in-progress uploads in
# wagtail_uploads/, any folder added later) is refused here: an allow-list
# fails closed. Documents are served only by Wagtail's serve view
# (/documents/<id>/<name>), which applies collection and privacy checks.
PUBLIC_MEDIA_FOLDERS = frozenset({"images", "original_images", "avatars", "avatar_images"})

# Storage.get_valid_name() keeps only these characters, so every stored file
# name matches; anything else (separators, backslashes, NULs, percent signs,
# spaces) is a trick, not a file. A name may not start or end with a dot.
_STORED_FILE_NAME = re.compile(r"[-\w](?:[-\w.]*[-\w])?")


def public_media_path(path):
    """The path as a canonical `<public folder>/<file name>`, or None when it
    names anything else (documents, other folders, or any spelling that only
    reaches a file after decoding or normalisation)."""
    # The URL was percent-decoded once already: a "%" left over is a second
    # encoding meant for a later decoder.
    if unquote(path) != path:
        return None
    # "//", "./", "../" and trailing slashes are refused, never resolved:
    # access is decided on exactly the path the file server will open.
    if posixpath.normpath(path) != path:
        return None
    folder, _, name = path.partition("/")
    if folder not in PUBLIC_MEDIA_FOLDERS or not _STORED_FILE_NAME.fullmatch(name):
        return None
    # A symbolic link inside a public folder must not lead out of it.
    media_root = Path(settings.MEDIA_ROOT)
    resolved = (media_root / path).resolve()
    if not resolved.is_relative_to((media_root / folder).resolve()):
        return None
    return path


@require_safe
def serve_local_media(request, path):
    """Serve a public uploaded file from MEDIA_ROOT (FileSystemStorage only).

    Only image files and avatars are served (see PUBLIC_MEDIA_FOLDERS);
    every other path, however it is spelled, is a 404.
    """
    public_path = public_media_path(path)
    if public_path is None:
        raise Http404("Not a public media file.")
    return serve(request, public_path, document_root=settings.MEDIA_ROOT)
