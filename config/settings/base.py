"""Settings shared by every mode. Each value comes from the environment with a
documented default (README, "Configuration"); the embedded defaults need no
services, and setting DATABASE_URL / REDIS_URL / AWS_STORAGE_BUCKET_NAME moves
the same code onto PostgreSQL, Redis and S3."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from config.environment import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("PRESSROOM_VAR_DIR", str(BASE_DIR / "var")))

# Core ---------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "")  # dev/test provide a default
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_SITE_NAME = env.str("WAGTAIL_SITE_NAME", "Pressroom")

INSTALLED_APPS = [
    "daphne",
    # Project apps first so their templates override third-party ones.
    "home",
    "blog",
    "shop",
    "search",
    "notifications",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Django and friends
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "channels",
    "django_htmx",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
                "home.context_processors.content_version",
            ],
        },
    },
    {
        # Plain-text email bodies and subjects: same templates, no HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite in WAL mode by default, PostgreSQL from DATABASE_URL -------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if USING_POSTGRES:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while a writer commits; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between concurrent writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache, sessions, channel layer and Celery broker when REDIS_URL is set

REDIS_URL = env.redis_url("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pressroom",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer does not drop group messages at a per-channel
            # capacity the way RedisChannelLayer does (see ARCHITECTURE.md).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py's 5 s default socket timeout kills idle consumers.
                        "socket_timeout": None,
                        "max_connections": 1000,
                    }
                ],
                "prefix": "pressroom",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery (our background work) -----------------------------------------------


def redis_database(url, number):
    """The same Redis server as `url`, database `number` (kept apart so that
    clearing the cache can never drop queued tasks)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


CELERY_BROKER_URL = env.redis_url(
    "CELERY_BROKER_URL", redis_database(REDIS_URL, 1) if REDIS_URL else ""
)
# Without a broker, tasks run in the web process right after the transaction
# commits (they are always enqueued through on_commit), so `make run` needs no
# worker. A failing task is logged, never raised into the request.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late a task whose worker died is redelivered after this timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "home.tasks.publish_scheduled_pages",
        "schedule": 60.0,
    },
}

# Wagtail's own background work (reference index, file deletion) uses the
# django-tasks TASKS setting. Its jobs are small and idempotent, so they run
# immediately in the process that queued them, after commit; Celery is kept
# for our own heavier work.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "ENQUEUE_ON_COMMIT": True,
    }
}

# Auth ---------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# I18N ---------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static and media ----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", "") or None,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", "") or None,
            # Never silently replace an existing object with a same-named upload.
            "file_overwrite": False,
            # Objects are private; URLs are signed and expire.
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Documents go through Wagtail's serve view so view restrictions and privacy
# checks apply on every download, whatever the storage.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Large StreamField pages post many fields from the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# Email --------------------------------------------------------------------

EMAIL_CONFIG = env.email("EMAIL_URL", "consolemail://")
vars().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, ... (django-environ idiom)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Pressroom <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Wagtail ------------------------------------------------------------------

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Offline by default: no update pings, no Gravatar requests from the admin.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# Shop ---------------------------------------------------------------------

SHOP_CURRENCY = env.str("SHOP_CURRENCY", "EUR")
SHOP_LOW_STOCK_THRESHOLD = env.int("SHOP_LOW_STOCK_THRESHOLD", 5, minimum=0)
# Tax: a percentage (20 means 20 %). With SHOP_PRICES_INCLUDE_TAX on, product
# prices and shipping costs already contain the tax and the order shows the
# share it includes; off, the tax is added on top. Rounded half-up to cents.
SHOP_TAX_RATE = env.decimal("SHOP_TAX_RATE", "20", minimum=0)
SHOP_PRICES_INCLUDE_TAX = env.bool("SHOP_PRICES_INCLUDE_TAX", True)
SHOP_SHIPPING_STANDARD_COST = env.decimal("SHOP_SHIPPING_STANDARD_COST", "4.90", minimum=0)
SHOP_SHIPPING_EXPRESS_COST = env.decimal("SHOP_SHIPPING_EXPRESS_COST", "12.90", minimum=0)
# Standard shipping is free from this goods subtotal on; empty: never free.
SHOP_FREE_SHIPPING_THRESHOLD = env.decimal("SHOP_FREE_SHIPPING_THRESHOLD", "75", minimum=0)
SHOP_BANK_TRANSFER_DETAILS = env.str(
    "SHOP_BANK_TRANSFER_DETAILS", "Pressroom Ltd · IBAN GB00 DEMO 0000 0000 0000 00 · BIC DEMOGB00"
)
# How long the signed order link in confirmation emails works.
SHOP_ORDER_LINK_MAX_AGE_DAYS = env.int("SHOP_ORDER_LINK_MAX_AGE_DAYS", 90, minimum=1)
# Card payments through Stripe Checkout: offered only when both keys are set
# (nothing reaches Stripe otherwise). STRIPE_API_BASE points the SDK elsewhere,
# e.g. at stripe-mock.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", "")

# Security -----------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Wagtail previews render in an iframe of the admin itself.
X_FRAME_OPTIONS = "SAMEORIGIN"

CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:", "blob:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "frame-src": [CSP_SELF, "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": [CSP_SELF],
        "form-action": [CSP_SELF],
        "base-uri": [CSP_SELF],
        "object-src": ["'none'"],
    }
}
# The Wagtail admin uses inline scripts and styles; it gets a report-only
# policy until it runs clean under the strict one.
CSP_ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
CONTENT_SECURITY_POLICY_ADMIN_REPORT_ONLY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [CSP_SELF, "'unsafe-inline'"],
        "style-src": [CSP_SELF, "'unsafe-inline'"],
    }
}
if AWS_STORAGE_BUCKET_NAME:
    media_origin = env.str("AWS_S3_CUSTOM_DOMAIN", "") or env.str("AWS_S3_ENDPOINT_URL", "")
    if media_origin:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(media_origin)

# Logging ------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "daphne": {"level": "WARNING"},
        # One INFO line per Wagtail background task is noise, not news.
        "django_tasks": {"level": "WARNING"},
    },
}
