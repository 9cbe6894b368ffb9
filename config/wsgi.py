"""WSGI entry point: production HTTP is served by gunicorn from here (see
the README's production section); Daphne serves WebSockets (config.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

django_application = get_wsgi_application()

from config.proxy import TrustedProxyWSGIMiddleware  # noqa: E402

application = TrustedProxyWSGIMiddleware(django_application)
