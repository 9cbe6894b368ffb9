"""WSGI entry point: production HTTP is served by gunicorn from here (see
the README's production section); Daphne serves WebSockets (config.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

django_application = get_wsgi_application()

from django.conf import settings  # noqa: E402

from ai.embeddings import warm_up_in_background  # noqa: E402
from config.proxy import TrustedProxyWSGIMiddleware  # noqa: E402

application = TrustedProxyWSGIMiddleware(django_application)

# Each gunicorn worker imports this module: its query encoder is ready (or
# exported) before the first search needs it.
if settings.EMBEDDING_WARM_UP:
    warm_up_in_background()
