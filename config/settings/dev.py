"""The embedded default used by `make run`: no services, debug on, local only."""

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING, STATIC_ROOT, STORAGES, env

DEBUG = env.bool("DJANGO_DEBUG", True)
# A fixed key is fine for a local, debug-only server; production demands one.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-deploy-3c1f7e2a9b")

# Serve static files straight from the apps while developing; the manifest
# storage still applies to `collectstatic` for deployments.
WHITENOISE_USE_FINDERS = True
if not DEBUG:
    # `make run DJANGO_DEBUG=0` shows the site's own 404/500 pages; without a
    # `collectstatic` the manifest storage would turn every page into a 500.
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# Publishing never waits for embedding and tagging (config/celery_tasks.py).
EMBEDDED_TASKS_IN_BACKGROUND = env.bool("EMBEDDED_TASKS_IN_BACKGROUND", True)
WHITENOISE_AUTOREFRESH = True

# WhiteNoise warns about a missing STATIC_ROOT before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Readable log lines in `make run`; LOG_FORMAT=json gives production's.
LOG_FORMAT = env.choice("LOG_FORMAT", ("json", "text"), "text")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
