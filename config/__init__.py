"""Settings per environment, read from the environment and validated at start-up."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_URL = f"sqlite:///{ROOT / 'instance' / 'portal.sqlite3'}"


class ConfigError(RuntimeError):
    """The environment does not describe a usable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _share(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be a fraction from 0 to 1, not {raw!r}") from exc
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a fraction from 0 to 1, not {raw!r}")
    return value


_HOST = re.compile(r"\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\]")


def _hosts(raw: str | None) -> list[str] | None:
    """TRUSTED_HOSTS: host names separated by commas (".example.org": it and its subdomains)."""
    hosts = [h.strip().lower() for h in (raw or "").split(",") if h.strip()]
    for host in hosts:
        if not _HOST.fullmatch(host):
            raise ConfigError(f"TRUSTED_HOSTS must be host names separated by commas (no scheme, "
                              f"port or path), not {host!r}")
    return hosts or None


def _log_format(raw: str | None, env: str) -> str:
    value = (raw or ("json" if env == "production" else "text")).strip().lower()
    if value not in {"json", "text"}:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {raw!r}")
    return value


def log_format_from_environment() -> str:
    """LOG_FORMAT as the app reads it (json by default in production), for gunicorn's own logs."""
    return _log_format(os.environ.get("LOG_FORMAT"), os.environ.get("PORTAL_ENV", "development"))


def _networks(raw: str | None) -> list[str]:
    """METRICS_ALLOWED: addresses or networks separated by commas (default: this machine)."""
    if raw is None:
        return ["127.0.0.1/32", "::1/128"]
    networks = [n.strip() for n in raw.split(",") if n.strip()]
    for net in networks:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError as exc:
            raise ConfigError(f"METRICS_ALLOWED must be addresses or networks separated by "
                              f"commas, not {net!r}") from exc
    return networks


@dataclass
class Settings:
    """Everything the portal reads from its environment."""

    ENV: str = "development"
    SECRET_KEY: str = "dev-only-not-secret"
    DATABASE_URL: str = DEFAULT_SQLITE_URL
    # The role that owns the tables, on PostgreSQL: `flask db upgrade` and backups connect as it,
    # while DATABASE_URL's role (portal_app) owns nothing and so stays under row-level security.
    # Unset: DATABASE_URL's role does both (SQLite; a single-role PostgreSQL is not isolated).
    DATABASE_OWNER_URL: str | None = None
    SERVER_NAME_FOR_LINKS: str = "http://127.0.0.1:5000"
    PARTNERSHIP_NAME: str = "Anyshire Safeguarding Children Partnership"
    HELP_EMAIL: str = "safeguarding.partnership@example.org"
    MAIL_SERVER: str | None = None
    MAIL_PORT: int = 25
    MAIL_USE_TLS: bool = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER: str = "Compact Audit <compact.audit@example.org>"
    MAIL_TIMEOUT: int = 10  # seconds for one read or write on the SMTP connection
    # Overall deadline of one SMTP exchange (connection set-up, or one message): a relay that
    # stalls or drips "250-" lines is cut off then. Keep it under a third of the lease.
    MAIL_MESSAGE_SECONDS: int = 30
    MAIL_LEASE_SECONDS: int = 300  # a claim's lease, from the claim, renewed every third of it
    MAIL_RUN_SECONDS: int = 240  # a `mail send` run stops after this (under the cron interval)
    MAIL_STALLS_BEFORE_PAUSE: int = 2  # timeouts or lost connections in a row that pause mail
    OUTBOX_ALERT_MINUTES: int = 30  # /healthz/outbox fails when mail has waited longer
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_SINGLE_PROCESS: bool = False  # production accepts memory:// only when this is set
    TRUSTED_PROXIES: int = 0  # how many proxies (TLS terminator, load balancer) sit in front
    # Host names the portal answers to (Flask refuses others with a 400); None: any. Production
    # always has a list: TRUSTED_HOSTS, else the host of PORTAL_BASE_URL. Only with a list are
    # the proxies' X-Forwarded-Host and -Port believed.
    TRUSTED_HOSTS: list[str] | None = None
    SESSION_COOKIE_NAME: str = "session"
    SESSION_ABSOLUTE_HOURS: int = 12
    SESSION_COOKIE_SECURE: bool = False
    FORCE_HTTPS: bool = False
    SESSION_TIMEOUT_MINUTES: int = 30
    # Publishing, reopening, changing users and exporting every return need a second factor (or,
    # without one, the password) entered within this many minutes.
    REAUTHENTICATE_MINUTES: int = 15
    CHASER_MIN_GAP_WORKING_DAYS: int = 2
    # A moderation visit's outcome is due this many working days after the visit, then overdue.
    VISIT_OUTCOME_WORKING_DAYS: int = 5
    # The practitioner survey: an agency's figures are shown from this many responses, and a
    # good/outstanding self-grade with less agreement than this share is a corroboration gap.
    SURVEY_MIN_RESPONSES: int = 10
    SURVEY_GAP_SHARE: float = 0.6
    # Stuffing: posts per address and per link (in the sign-in limits' store), the pace at which
    # a link's responses are flagged as a burst, the cap until an agency declares its headcount,
    # and how long a served form's token lasts (each token is good for one response).
    SURVEY_RATE_LIMIT: str = "20 per minute"
    SURVEY_LINK_RATE_LIMIT: str = "30 per minute"
    SURVEY_BURST: str = "10 per 5 minutes"
    # a response that makes this many near-identical responses (all answers but one the same) to
    # one link in a day is flagged 'alike' for the manager to review (0 turns the check off)
    SURVEY_ALIKE_RUN: int = 5
    SURVEY_DEFAULT_HEADCOUNT: int = 250
    SURVEY_FORM_MINUTES: int = 120
    PASSWORD_LINK_HOURS: int = 72
    # The data protection officer the privacy notice names (default: HELP_EMAIL), and how
    # long personal data is kept (`flask retention apply`; docs/data-protection.md says why).
    PARTNERSHIP_DPO_EMAIL: str = ""
    RETENTION_OUTBOX_BODY_DAYS: int = 30  # an email's body, after it was delivered
    RETENTION_DISABLE_AFTER_DAYS: int = 730  # an account unused this long is disabled
    RETENTION_ERASE_AFTER_DISABLED_DAYS: int = 365  # then anonymised this long after
    RETENTION_LEFT_AGENCY_CONTACT_DAYS: int = 90  # contacts of an agency that left
    RETENTION_AUDIT_YEARS: int = 6  # audit events
    # Logs: "json" (one object a line, with the request id; the production default) or "text".
    LOG_FORMAT: str = "text"
    # /metrics answers these addresses and networks (the real client's, behind TRUSTED_PROXIES),
    # and anyone sending "Authorization: Bearer METRICS_TOKEN"; everyone else gets 404.
    METRICS_ALLOWED: list[str] = field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    METRICS_TOKEN: str | None = None
    WTF_CSRF_ENABLED: bool = True
    TESTING: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def as_flask_config(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        values.update(self.extra)
        values["SESSION_COOKIE_HTTPONLY"] = True
        values["SESSION_COOKIE_SAMESITE"] = "Lax"
        values["WTF_CSRF_TIME_LIMIT"] = None  # the session lifetime bounds the token instead
        values["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024  # uploads (CSV, XLSX) are small files
        # a moving window: a fixed one lets twice the limit through across a window's edge
        values["RATELIMIT_STRATEGY"] = "moving-window"
        return values


def load_settings(env: str | None = None, **overrides: Any) -> Settings:
    """Build settings for an environment (development, testing, production) from os.environ."""
    env = env or os.environ.get("PORTAL_ENV", "development")
    if env not in {"development", "testing", "production"}:
        raise ConfigError(f"PORTAL_ENV must be development, testing or production, not {env!r}")
    settings = Settings(
        ENV=env,
        SECRET_KEY=os.environ.get("SECRET_KEY", Settings.SECRET_KEY),
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL),
        DATABASE_OWNER_URL=os.environ.get("DATABASE_OWNER_URL") or None,
        SERVER_NAME_FOR_LINKS=os.environ.get("PORTAL_BASE_URL", Settings.SERVER_NAME_FOR_LINKS),
        PARTNERSHIP_NAME=os.environ.get("PARTNERSHIP_NAME", Settings.PARTNERSHIP_NAME),
        HELP_EMAIL=os.environ.get("HELP_EMAIL", Settings.HELP_EMAIL),
        MAIL_SERVER=os.environ.get("MAIL_SERVER") or None,
        MAIL_PORT=_int("MAIL_PORT", 25),
        MAIL_USE_TLS=_bool(os.environ.get("MAIL_USE_TLS")),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME") or None,
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD") or None,
        MAIL_DEFAULT_SENDER=os.environ.get("MAIL_DEFAULT_SENDER", Settings.MAIL_DEFAULT_SENDER),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        SESSION_TIMEOUT_MINUTES=_int("SESSION_TIMEOUT_MINUTES", 30),
        SESSION_ABSOLUTE_HOURS=_int("SESSION_ABSOLUTE_HOURS", 12),
        REAUTHENTICATE_MINUTES=_int("REAUTHENTICATE_MINUTES", 15),
        TRUSTED_PROXIES=_int("TRUSTED_PROXIES", 0),
        TRUSTED_HOSTS=_hosts(os.environ.get("TRUSTED_HOSTS")),
        RATELIMIT_SINGLE_PROCESS=_bool(os.environ.get("RATELIMIT_SINGLE_PROCESS")),
        CHASER_MIN_GAP_WORKING_DAYS=_int("CHASER_MIN_GAP_WORKING_DAYS", 2),
        VISIT_OUTCOME_WORKING_DAYS=_int("VISIT_OUTCOME_WORKING_DAYS", 5),
        SURVEY_MIN_RESPONSES=_int("SURVEY_MIN_RESPONSES", 10),
        SURVEY_GAP_SHARE=_share("SURVEY_GAP_SHARE", 0.6),
        SURVEY_DEFAULT_HEADCOUNT=_int("SURVEY_DEFAULT_HEADCOUNT", 250),
        SURVEY_ALIKE_RUN=_int("SURVEY_ALIKE_RUN", 5),
        MAIL_TIMEOUT=_int("MAIL_TIMEOUT", 10),
        MAIL_MESSAGE_SECONDS=_int("MAIL_MESSAGE_SECONDS", 30),
        MAIL_LEASE_SECONDS=_int("MAIL_LEASE_SECONDS", 300),
        MAIL_RUN_SECONDS=_int("MAIL_RUN_SECONDS", 240),
        MAIL_STALLS_BEFORE_PAUSE=_int("MAIL_STALLS_BEFORE_PAUSE", 2),
        OUTBOX_ALERT_MINUTES=_int("OUTBOX_ALERT_MINUTES", 30),
        PARTNERSHIP_DPO_EMAIL=os.environ.get("PARTNERSHIP_DPO_EMAIL", ""),
        LOG_FORMAT=_log_format(os.environ.get("LOG_FORMAT"), env),
        METRICS_ALLOWED=_networks(os.environ.get("METRICS_ALLOWED")),
        METRICS_TOKEN=os.environ.get("METRICS_TOKEN") or None,
    )
    for name, value in _retention().items():
        setattr(settings, name, value)
    _check_mail_times(settings)
    if env == "production":
        _require_production(settings)
        settings.TRUSTED_HOSTS = settings.TRUSTED_HOSTS or _hosts(
            urlsplit(settings.SERVER_NAME_FOR_LINKS).hostname or "")
        settings.SESSION_COOKIE_SECURE = True
        settings.SESSION_COOKIE_NAME = "__Host-session"  # Secure, Path=/, no Domain: host-bound
        settings.FORCE_HTTPS = _bool(os.environ.get("FORCE_HTTPS"), default=True)
    if env == "testing":
        settings.TESTING = True
        settings.RATELIMIT_ENABLED = False
    for key, value in overrides.items():
        if hasattr(settings, key):
            setattr(settings, key, value)
        else:
            settings.extra[key] = value
    return settings


RETENTION_DEFAULTS = {"RETENTION_OUTBOX_BODY_DAYS": 30, "RETENTION_DISABLE_AFTER_DAYS": 730,
                      "RETENTION_ERASE_AFTER_DISABLED_DAYS": 365,
                      "RETENTION_LEFT_AGENCY_CONTACT_DAYS": 90, "RETENTION_AUDIT_YEARS": 6}


def _retention() -> dict[str, int]:
    """The retention periods (RETENTION_*), none below 1: a zero would erase at once."""
    values = {name: _int(name, default) for name, default in RETENTION_DEFAULTS.items()}
    for name, value in values.items():
        if value < 1:
            raise ConfigError(f"{name} must be at least 1, not {value}")
    return values


def _check_mail_times(settings: Settings) -> None:
    """A claim must outlast the exchanges between two renewals (every third of the lease)."""
    if settings.MAIL_MESSAGE_SECONDS * 3 > settings.MAIL_LEASE_SECONDS:
        raise ConfigError("MAIL_LEASE_SECONDS must be at least 3 times MAIL_MESSAGE_SECONDS, so "
                          "that a sender renews its claim before it can run out")
    if min(settings.MAIL_MESSAGE_SECONDS, settings.MAIL_RUN_SECONDS,
           settings.MAIL_STALLS_BEFORE_PAUSE) < 1:
        raise ConfigError("MAIL_MESSAGE_SECONDS, MAIL_RUN_SECONDS and MAIL_STALLS_BEFORE_PAUSE "
                          "must be at least 1")


def _require_production(settings: Settings) -> None:
    missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
    if missing:
        raise ConfigError(f"Production needs {' and '.join(missing)} set in the environment")
    if len(settings.SECRET_KEY) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    if settings.RATELIMIT_STORAGE_URI.startswith("memory://") and not settings.RATELIMIT_SINGLE_PROCESS:
        raise ConfigError("RATELIMIT_STORAGE_URI is memory://, which counts per worker process: "
                          "set it to redis://HOST:PORT, or set RATELIMIT_SINGLE_PROCESS=true if "
                          "the portal runs as one single-worker process")
    if settings.TRUSTED_PROXIES < 0 or settings.TRUSTED_PROXIES > 5:
        raise ConfigError("TRUSTED_PROXIES must be the number of proxies in front, 0 to 5")
