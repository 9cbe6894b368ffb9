"""Typed access to environment variables that fails loudly and names the culprit.

django-environ parses the values; this wrapper turns its assorted exceptions
(and the silently wrong results it returns for some malformed URLs) into one
``ImproperlyConfigured`` error that says which variable is wrong and why, so a
typo in a deployment stops start-up with a message an operator can act on.
"""

import ipaddress
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

NOT_SET = environ.Env.NOTSET

DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
REDIS_SCHEMES = {"redis", "rediss", "unix"}


class Environment:
    """Reads settings from ``os.environ`` with validation and clear errors."""

    def __init__(self):
        self._env = environ.Env()

    def _read(self, parse, var, default, **kwargs):
        try:
            return parse(var, default=default, **kwargs)
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(f"{var}: {exc}") from exc
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ImproperlyConfigured(
                f"{var} is malformed ({exc.__class__.__name__}: {exc})"
            ) from exc

    def is_set(self, var):
        """True when the variable is present and not empty."""
        return bool(self._env.str(var, default=""))

    def str(self, var, default=NOT_SET):
        """A string; raises if missing and no default is given."""
        return self._read(self._env.str, var, default)

    def bool(self, var, default=NOT_SET):
        """A boolean from true/false, 1/0, yes/no, on/off."""
        raw = self._env.str(var, default="")
        if raw == "":
            if default is NOT_SET:
                raise ImproperlyConfigured(f"Set the {var} environment variable")
            return default
        if raw.strip().lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ImproperlyConfigured(f"{var} must be true or false, not {raw!r}")
        return self._env.bool(var)

    def int(self, var, default=NOT_SET, minimum=None):
        """An integer, optionally with a lower bound."""
        value = self._read(self._env.int, var, default)
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{var} must be at least {minimum}, not {value}")
        return value

    def float(self, var, default=NOT_SET):
        """A floating-point number."""
        return self._read(self._env.float, var, default)

    def choice(self, var, choices, default=NOT_SET):
        """One of a fixed set of strings (compared lowercase)."""
        value = self.str(var, default).strip().lower()
        if value not in choices:
            raise ImproperlyConfigured(f"{var} must be one of {', '.join(choices)}, not {value!r}")
        return value

    def decimal(self, var, default=NOT_SET, minimum=None):
        """A Decimal such as 20 or 4.90 (never a float: money stays exact);
        an empty value gives the default, which may be None."""
        raw = self._env.str(var, default="").strip()
        if raw == "":
            if default is NOT_SET:
                raise ImproperlyConfigured(f"Set the {var} environment variable")
            return None if default is None else Decimal(str(default))
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise ImproperlyConfigured(f"{var} must be a number, not {raw!r}") from exc
        if not value.is_finite():
            raise ImproperlyConfigured(f"{var} must be a finite number, not {raw!r}")
        if minimum is not None and value < Decimal(str(minimum)):
            raise ImproperlyConfigured(f"{var} must be at least {minimum}, not {value}")
        return value

    def list(self, var, default=NOT_SET):
        """A comma-separated list of strings, blanks dropped."""
        value = self._read(self._env.list, var, default)
        return [item.strip() for item in value if item.strip()]

    def ip_networks(self, var, default=NOT_SET):
        """A comma-separated list of IP addresses or CIDR networks, IPv4 or IPv6
        (``10.0.0.5,172.16.0.0/12,::1``), each checked."""
        values = self.list(var, default)
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"{var}: {value!r} is not an IP address or CIDR network"
                ) from exc
        return values

    def database(self, var, default):
        """A Django DATABASES entry from a URL such as postgres://user:pw@host/db."""
        url = self.str(var, default)
        scheme = urlsplit(url).scheme
        if scheme not in DATABASE_SCHEMES:
            raise ImproperlyConfigured(
                f"{var} must be a postgres:// or sqlite:// URL, not {url.split('@')[-1]!r}"
            )
        config = self._read(self._env.db_url, var, default)
        # A socket directory may be percent-encoded as the host (%2Frun%2Fpostgresql).
        config["HOST"] = unquote(config.get("HOST", ""))
        if scheme != "sqlite" and not config.get("NAME"):
            raise ImproperlyConfigured(f"{var} names no database (add /<name> to the URL)")
        return config

    def redis_url(self, var, default=""):
        """A redis:// URL, or '' when unset."""
        url = self.str(var, default)
        if url and (urlsplit(url).scheme not in REDIS_SCHEMES):
            raise ImproperlyConfigured(f"{var} must be a redis:// or rediss:// URL")
        return url

    def email(self, var, default):
        """Django email settings from a URL such as smtp+tls://user:pw@host:587."""
        return self._read(self._env.email_url, var, default)


env = Environment()
