"""Settings for the test suite: the embedded default, made fast and quiet.

Integration tests set DATABASE_URL and REDIS_URL (to servers the test session
starts) before Django loads, and base.py switches to PostgreSQL and Redis.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, LOGGING, STATIC_ROOT, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "test-only-insecure-key-5d8e0f4c21")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH", "")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", "http://testserver")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Unit tests publish many pages; indexing each would load the embedding model
# into every test run. AI tests switch it on where they need it; with real
# services (REDIS_URL set) publishing queues work for the real worker.
AI_INDEX_ON_PUBLISH = env.bool("AI_INDEX_ON_PUBLISH", bool(env.str("REDIS_URL", "")))
# The test session starts many short-lived Daphne processes; most never embed.
EMBEDDING_WARM_UP = env.bool("EMBEDDING_WARM_UP", False)

# The README's "Add a page type" example, installed to prove the recipe.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# Unit tests render templates without running collectstatic. The browser
# tests' Daphne sets TEST_MANIFEST_STATIC=1 after a real collectstatic, so
# they exercise the manifest storage that production uses.
if not env.bool("TEST_MANIFEST_STATIC", False):
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = True

# WhiteNoise warns about a missing STATIC_ROOT before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Readable log lines in the test run; LOG_FORMAT=json gives production's.
LOG_FORMAT = env.choice("LOG_FORMAT", ("json", "text"), "text")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
