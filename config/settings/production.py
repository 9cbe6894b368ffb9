"""Production: every secret from the environment, HTTPS, no debug.

Start-up fails when DJANGO_SECRET_KEY is missing or DJANGO_DEBUG is on, and
`manage.py check --deploy --fail-level WARNING` is clean.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))")'
    )
DEBUG = env.bool("DJANGO_DEBUG", False)
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production settings")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# HTTPS: the proxy in front terminates TLS and sets X-Forwarded-Proto, which
# is believed only from TRUSTED_PROXIES (config/proxy.py sets the request's
# scheme), so there is deliberately no SECURE_PROXY_SSL_HEADER: Django would
# read that header from any client.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", False)

# Wagtail's live preview renders the page in an iframe of the admin, so
# framing stays allowed for the same origin (CSP frame-ancestors 'self' too).
SILENCED_SYSTEM_CHECKS = ["security.W019"]
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way commitment an operator opts into, not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if not SECURE_SSL_REDIRECT:
    # Only for a proxy that already redirects plain HTTP itself.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# Readers confirm their email address before they can sign in.
if not env.is_set("ACCOUNT_EMAIL_VERIFICATION"):
    ACCOUNT_EMAIL_VERIFICATION = "mandatory"
