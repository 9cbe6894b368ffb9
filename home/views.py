"""Views of the home app that are not Wagtail pages."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


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
