"""Views of the home app that are not Wagtail pages."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve


def serve_local_media(request, path):
    """Serve an uploaded file from MEDIA_ROOT in the embedded mode.

    Documents are excluded: they are only reachable through Wagtail's
    document serve view, which applies privacy and collection permissions.
    """
    if path.startswith(("documents/", "original_documents/")):
        raise Http404("Documents are served through /documents/.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    """Crawl rules: everything public, nothing under the admin; the sitemap's address."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /documents/",
        "Disallow: /search/",
        "Disallow: /cart/",
        "Disallow: /checkout/",
        "Disallow: /orders/",
        "Disallow: /assistant/history/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
