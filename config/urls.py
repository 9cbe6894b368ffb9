from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core import health, page_passwords
from core.csrf import csrf_token_view
from core.media import serve_local_media
from home.views import robots_txt
from search import views as search_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The CSRF token of a reader whose page came from the page cache (core.csrf).
    path("csrf/", csrf_token_view, name="csrf_token"),
    path("admin/", include(wagtailadmin_urls)),
    # The headless API (api/, issue 19): /api/v2/ content, assistant, schema, docs.
    path("api/", include("api.urls")),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("assistant/history/", include("chat.assistant.urls")),
    path("rooms/", include("chat.rooms.urls")),
    path("", include("shop.urls")),  # /cart/, /checkout/, /orders/
    path("accounts/", include("accounts.urls")),
    path("people/", include("accounts.public_urls")),
    path("community/", include("community.urls")),
    path("notifications/", include("notifications.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Wagtail's page-password form with a failure limit, on Wagtail's own
    # path and name (so it wins over the route in wagtail_urls below).
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        page_passwords.authenticate_with_password,
        name="wagtailcore_authenticate_with_password",
    ),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Embedded mode: no proxy or bucket in front, so Django serves uploads.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.*)$", serve_local_media))

urlpatterns.append(path("", include(wagtail_urls)))

# Outages of the database (or a connection pool with nothing free) answer 503
# with Retry-After; other errors 500 (core/errors.py).
handler500 = "core.errors.server_error"
