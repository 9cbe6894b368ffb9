"""Views of the home app that are not Wagtail pages."""

from django.conf import settings
from django.http import Http404
from django.views.static import serve


def serve_local_media(request, path):
    """Serve an uploaded file from MEDIA_ROOT in the embedded mode.

    Documents are excluded: they are only reachable through Wagtail's
    document serve view, which applies privacy and collection permissions.
    """
    if path.startswith(("documents/", "original_documents/")):
        raise Http404("Documents are served through /documents/.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
