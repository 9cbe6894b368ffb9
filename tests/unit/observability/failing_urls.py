"""The site's URLs plus a view that fails, for the Sentry tests."""

from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    """Fails the way a bug does, with personal data in the message."""
    raise RuntimeError(f"could not ship to {request.GET.get('email')}")


urlpatterns = [path("broken/", broken_view), *site_urlpatterns]

__all__ = ["handler500", "urlpatterns"]
