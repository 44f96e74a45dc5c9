"""Structured JSON logs with a request id, and the Prometheus `/metrics` endpoint (issue 30).

Every request gets an id: the trusted proxy's `X-Request-ID` (nginx's `$request_id`) when
TRUSTED_PROXIES is set and the value looks like one, else a new one. It is on every log line
written during the request and in the response's `X-Request-ID` header, so a user's "it broke"
can be matched to a log line. Requests for the public survey (`/survey/...`) are logged without
an address, a browser string or a user id: an answer must not be traceable to a person.

Metrics: counters and histograms live in each process. Under gunicorn with several workers,
PROMETHEUS_MULTIPROC_DIR (an empty folder per start, set in the web server's unit) makes
prometheus_client keep them in shared files and `/metrics` adds up every worker's. The outbox
and the jobs' last runs are read from the database at each scrape (a few aggregate queries).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, abort, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import inspect as sqlalchemy_inspect

from portal.access import public
from portal.db import get_db
from portal.models import utcnow
from portal.paths import SURVEY_PREFIX
from portal.services import operations

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
REPORT_FORMAT_ARG = "fmt"

REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by endpoint and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer a request, by endpoint",
                    ["endpoint"], buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SIGN_IN_FAILURES = Counter("portal_sign_in_failures", "Sign-in attempts refused, by reason "
                           "(wrong: a wrong email or password; throttled: too many attempts)",
                           ["reason"])
REPORT_RENDER = Histogram("portal_report_render_seconds", "Time to compute and render a report "
                          "download, by endpoint and format", ["endpoint", "format"],
                          buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))


# ---- logs -------------------------------------------------------------------------------------

class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request's fields."""

    FIELDS = ("request_id", "user_id", "agency_id", "method", "path", "endpoint", "status", "duration_ms",
              "remote_addr", "user_agent")

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line |= {name: getattr(record, name) for name in self.FIELDS
                 if getattr(record, name, None) is not None}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestFields(logging.Filter):
    """Puts the request id (and the user id, off the survey) on every line logged in a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
            if not _is_survey():
                if getattr(record, "user_id", None) is None:
                    record.user_id, record.agency_id = _user_ids()
            elif request.remote_addr:  # Flask-Limiter names the address it refused: not here
                record.msg = record.getMessage().replace(request.remote_addr, "[address]")
                record.args = None
        return True


def configure_logging(app: Flask) -> None:
    """JSON lines on standard error (LOG_FORMAT=json, the production default), once a process."""
    if app.config.get("LOG_FORMAT") != "json":
        return
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestFields())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # the root's JSON handler writes its lines


def _is_survey() -> bool:
    return request.path.startswith(SURVEY_PREFIX)


def _user_ids() -> tuple[int | None, int | None]:
    """The signed-in user's id and agency id, if flask-login has already loaded them. Never a
    query: after a 5xx the request's session is rolled back and closed, so read what the
    object still holds (its identity always; its agency id unless the rollback expired it)."""
    user = g.get("_login_user")
    if not getattr(user, "is_authenticated", False):
        return None, None
    state = sqlalchemy_inspect(user, raiseerr=False)
    if state is None:
        return getattr(user, "id", None), getattr(user, "agency_id", None)
    # the agency is the membership's the user loader placed the user with (issue 28)
    membership = getattr(user, "placed_membership", None)
    held = sqlalchemy_inspect(membership, raiseerr=False) if membership is not None else None
    return ((state.identity[0] if state.identity else None),
            held.dict.get("agency_id") if held is not None else None)


def _request_id() -> str:
    offered = request.headers.get("X-Request-ID", "")
    if _trusts_proxy() and REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _trusts_proxy() -> bool:
    from flask import current_app

    return bool(current_app.config.get("TRUSTED_PROXIES"))


# ---- per request -------------------------------------------------------------------------------

def register_observability(app: Flask) -> None:
    """Logs and metrics for every request, and `/metrics`. Register it first: its after-request
    hook then runs last, when the response's status is final."""
    configure_logging(app)
    log = logging.getLogger("portal.requests")

    @app.before_request
    def start_request() -> None:
        g.request_id = _request_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def finish_request(response: Response) -> Response:
        if "request_id" not in g:  # a response made before start_request (never expected)
            return response
        response.headers["X-Request-ID"] = g.request_id
        seconds = time.perf_counter() - g.request_started
        _count(response.status_code, seconds)
        log.info("%s %s %s", request.method, request.path, response.status_code,
                 extra=_request_fields(response.status_code, seconds))
        return response

    app.add_url_rule("/metrics", "metrics", public(_metrics_view))


def _request_fields(status: int, seconds: float) -> dict[str, Any]:
    fields: dict[str, Any] = {"method": request.method, "path": request.path,
                              "endpoint": request.endpoint, "status": status,
                              "duration_ms": round(seconds * 1000, 1)}
    if not _is_survey():  # the survey is anonymous: no address, browser or user
        user_id, agency_id = _user_ids()
        fields |= {"remote_addr": request.remote_addr, "user_agent": request.headers.get("User-Agent"),
                   "user_id": user_id, "agency_id": agency_id}
    return fields


def _count(status: int, seconds: float) -> None:
    endpoint = request.endpoint or "unmatched"
    REQUESTS.labels(endpoint, request.method, str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)
    if endpoint == "auth.sign_in" and request.method == "POST":
        if status == 429:  # the account's throttle or the per-address limit
            SIGN_IN_FAILURES.labels("throttled").inc()
        elif status == 200:  # the form shown again: a wrong email or password, or a blank field
            SIGN_IN_FAILURES.labels("wrong").inc()
    fmt = (request.view_args or {}).get(REPORT_FORMAT_ARG)
    if fmt and status == 200:
        REPORT_RENDER.labels(endpoint, str(fmt)).observe(seconds)


# ---- /metrics ----------------------------------------------------------------------------------

def _metrics_view() -> Response:
    """Prometheus's text format, for allowed addresses (METRICS_ALLOWED) or with the bearer token
    (METRICS_TOKEN); anyone else gets 404, as if there were nothing here."""
    if not _may_scrape():
        abort(404)
    body = generate_latest(_process_registry()) + generate_latest(_database_registry())
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_scrape() -> bool:
    from flask import current_app

    token = current_app.config.get("METRICS_TOKEN") or ""
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    return _address_allowed(request.remote_addr, current_app.config.get("METRICS_ALLOWED") or [])


def _address_allowed(address: str | None, networks: list[str]) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(net, strict=False) for net in networks)


def _process_registry() -> CollectorRegistry:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)  # every gunicorn worker's counts
    return registry


def _database_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return registry


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape, so every worker reports the same."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = utcnow()
        with get_db().sessionmaker() as session:
            figures = operations.monitoring_figures(session, now=now)
        depth = GaugeMetricFamily("portal_outbox_messages", "Outbox messages not sent, by status "
                                  "(pending and sending are waiting)", labels=["status"])
        for status, count in figures.outbox_by_status.items():
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily("portal_outbox_oldest_waiting_seconds", "Age of the oldest "
                                "message waiting to be sent (0 when none)",
                                value=figures.oldest_waiting_seconds)
        yield GaugeMetricFamily("portal_mail_delivery_paused", "1 while delivery is paused by a "
                                "mail server problem", value=int(figures.delivery_paused))
        yield _job_runs(figures.job_successes)


def _job_runs(successes: dict[str, datetime]) -> GaugeMetricFamily:
    family = GaugeMetricFamily("portal_job_last_success_timestamp_seconds", "When each scheduled "
                               "job last finished without an error (Unix time)", labels=["job"])
    for job, at in sorted(successes.items()):
        family.add_metric([job], at.replace(tzinfo=UTC).timestamp())
    return family
