"""ASGI entry point: HTTP through Django, WebSockets through Channels.

The Django application is built first so that apps are loaded before any
consumer module imports models. TrustedProxyMiddleware wraps both protocols,
so the client address and scheme every view, consumer and rate limit sees
come from a proxy only when TRUSTED_PROXIES names it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from ai.embeddings import warm_up_in_background  # noqa: E402
from config.celery_tasks import start_embedded_worker  # noqa: E402
from config.proxy import TrustedProxyMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket_origin import SiteOriginValidator  # noqa: E402

application = TrustedProxyMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)

if settings.EMBEDDING_WARM_UP:
    warm_up_in_background()

# The embedded mode's serving process is also its worker: it sweeps the AI
# outbox at start-up and every AI_SWEEP_INTERVAL s (config/celery_tasks.py).
# With a broker this does nothing (Celery beat sweeps).
start_embedded_worker()
