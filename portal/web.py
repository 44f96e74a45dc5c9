"""Templates (GOV.UK Frontend), static assets, security headers, error pages."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin, current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from forms.common import example_hint
from portal import paths
from portal.access import access_of, public
from portal.db import get_db
from portal.models import utcnow
from portal.navigation import navigation_for
from portal.paths import SURVEY_PREFIX
from portal.problems import is_text_checked
from portal.services import mail
from portal.services.common import Invalid, NotFound, Problem, ServiceError, has_nul
from portal.templating import PortalTemplate
from portal.vocabulary import DB_INT_MAX

GOVUK_DIST = paths.GOVUK_FRONTEND
OWN_STATIC = paths.OWN_STATIC

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def register_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(paths.TEMPLATES),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.template_class = PortalTemplate
    WTFormsHelpers(app)
    app.context_processor(_template_globals)
    from portal import filters

    filters.register(app)


def _template_globals() -> dict[str, Any]:
    from flask import current_app

    return {
        "partnership_name": current_app.config["PARTNERSHIP_NAME"],
        "help_email": current_app.config["HELP_EMAIL"],
        # the error page during a database outage must not load the signed-in user
        "navigation": [] if g.get("without_database") else navigation_for(current_user),
        "session_timeout_minutes": current_app.config["SESSION_TIMEOUT_MINUTES"],
        "example_hint": example_hint,  # a date field's "For example, ..." that makes sense today
    }


def register_assets(app: Flask) -> None:
    if not (GOVUK_DIST / "govuk-frontend.min.css").exists():
        app.logger.warning("GOV.UK Frontend assets missing: run `make setup` (npm install)")

    @app.route("/assets/<path:filename>")
    @public
    def assets(filename: str) -> Response:
        for folder in (GOVUK_DIST / "assets", GOVUK_DIST, OWN_STATIC):
            if (folder / filename).is_file():
                return send_from_directory(folder, filename, max_age=3600)
        abort(404)

    @app.route("/healthz")
    @public
    def healthz() -> tuple[dict[str, Any], int]:
        """For load balancers: 503 when the database cannot be reached."""
        return _health(app, strict_outbox=False)

    @app.route("/healthz/outbox")
    @public
    def healthz_outbox() -> tuple[dict[str, Any], int]:
        """For monitoring: also 503 when mail has waited longer than OUTBOX_ALERT_MINUTES."""
        return _health(app, strict_outbox=True)


def _health(app: Flask, *, strict_outbox: bool) -> tuple[dict[str, Any], int]:
    """Only "ok" or "failing" for strangers: the mail relay's host, port and errors are internal
    (a manager sees them on their home page's mail status, and here when signed in)."""
    try:
        with get_db(app).sessionmaker() as session:
            health = mail.outbox_health(session)
            paused = mail.current_pause(session)
    except SQLAlchemyError as exc:
        app.logger.error("Health check: the database cannot be reached: %s", exc)
        return {"status": "failing"}, 503
    waited = (utcnow() - health.oldest_waiting) if health.oldest_waiting else None
    minutes = int(waited.total_seconds() // 60) if waited else 0
    stale = minutes > int(app.config["OUTBOX_ALERT_MINUTES"])
    failing = strict_outbox and bool(stale or health.undelivered)
    body: dict[str, Any] = {"status": "failing" if failing else "ok"}
    if _signed_in_manager():
        body |= {"database": "ok", "outbox": "stale" if stale else "ok",
                 "oldest_waiting_minutes": minutes, "undelivered": health.undelivered,
                 "delivery_paused": paused.reason if paused else None}
    return body, 503 if failing else 200


def _signed_in_manager() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated
                    and current_user.role == "manager")
    except SQLAlchemyError:  # loading the user failed: an anonymous answer, not a 500
        return False


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: ids above what a database integer holds are a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


class SurveyBlindSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, except on the public survey, which neither reads nor writes
    it: an answer is never tied to a staff member's session (nor its user loaded), no session
    cookie is set for a practitioner, and the busiest post skips the cookie's work."""

    def open_session(self, app: Flask, request: Any) -> Any:
        if request.path.startswith(SURVEY_PREFIX):
            return None  # Flask's null session: empty, and never saved
        return super().open_session(app, request)


def register_security(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter  # before any blueprint adds its routes
    app.session_interface = SurveyBlindSessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        # The client's address and scheme as the proxies in front saw them, for the rate limits
        # and the audit log. Only as many X-Forwarded-* hops as there are trusted proxies count.
        # The forwarded host and port only with TRUSTED_HOSTS (Flask refuses other hosts), else
        # a client's X-Forwarded-Host would choose where the HTTPS redirect sends it.
        hops = app.config["TRUSTED_PROXIES"]
        host_hops = hops if app.config.get("TRUSTED_HOSTS") else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=host_hops, x_port=host_hops)
    csrf.init_app(app)
    app.config["RATELIMIT_ENABLED"] = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URI"]
    limiter.init_app(app)
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_TIMEOUT_MINUTES"])
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
            "base-uri": "'none'",
            "object-src": "'none'",
        },
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="same-origin",
    )

    _register_session_hooks(app)


def _register_session_hooks(app: Flask) -> None:
    @app.before_request
    def keep_session_alive() -> None:
        if not app.session_interface.is_null_session(session):
            session.permanent = True

    @app.after_request
    def no_store_private_pages(response: Response) -> Response:
        # no one is signed in on a path without a session (the survey): no user to load
        signed_in = not app.session_interface.is_null_session(session) and bool(
            current_user and current_user.is_authenticated)
        if g.get("without_database") or signed_in:
            response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Server", None)  # gunicorn.conf.py blanks gunicorn's own
        return response


def register_input_guard(app: Flask) -> None:
    """What no service sees: a NUL (which PostgreSQL cannot store) in the path is a 404, in the
    query string a 400, and in a form's values a 400 listing the fields, unless the view's
    service applies the text policy itself (`portal.problems.text_checked`) and so puts it on
    its field."""

    @app.before_request
    def refuse_nul() -> Any:
        if has_nul(request.path):
            abort(404)
        fields = [name for name, value in request.args.items(multi=True)
                  if has_nul(name) or has_nul(value)]
        if not fields and request.method == "POST" and not is_text_checked(
                app.view_functions.get(request.endpoint or "")):
            fields = [name for name, value in request.form.items(multi=True)
                      if has_nul(name) or has_nul(value)]
        if fields:
            problems = [Problem(None, "What you entered must not contain control characters")]
            return render_template("errors/invalid.html", problems=problems,
                                   back=_back_link()), 400
        return None


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        view = app.view_functions.get(request.endpoint or "")
        if not current_user.is_authenticated and view is not None and access_of(view) != "public":
            # A post to a signed-in page after the session ended (or a cross-site post, whose
            # cookie the browser drops): back to sign-in and then this page. Nothing is kept
            # and the session is not touched, so a cross-site post can neither plant input nor
            # sign the victim out. The browser tab keeps what was typed (keep-input.js).
            return redirect(url_for("auth.sign_in", next=request.path))
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> tuple[str, int]:
        # A service's NotFound ("no such record, or not one this user may see") is a 404 page
        # saying why (a draft cycle has no report yet, a version was never published).
        _discard_changes()
        return render_template("errors/404.html", reason=str(error)), 404

    @app.errorhandler(Invalid)
    def invalid(error: Invalid) -> tuple[str, int]:
        # What was sent breaks a rule and no form was there to show it on: list the problems.
        _discard_changes()
        return render_template("errors/invalid.html", problems=error.problems,
                               back=_back_link()), 400

    @app.errorhandler(ServiceError)
    def refused(error: ServiceError) -> tuple[str, int]:
        # Refused, or any other rule a view did not handle: the state of things does not allow
        # it (409 Conflict), said in the rule's own words. Not 403: access is decided before the
        # view runs and has its own page; this is about the record, not the person.
        _discard_changes()
        return render_template("errors/refused.html", message=str(error), back=_back_link()), 409

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code in (403, 404, 429, 500):
            return render_without_database(f"errors/{code}.html"), code
        return error

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error", exc_info=error)
        return render_without_database("errors/500.html"), 500


def _discard_changes() -> None:
    """A rule stopped the request part way: undo what it wrote (a page under 500 is otherwise
    committed at the end of the request)."""
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except SQLAlchemyError:  # the database went meanwhile: nothing to undo, still a page
            session.invalidate()


def _back_link() -> str:
    """Where "Go back" leads: the page of this service the request came from (the form, for a
    post), else the user's home page. Only a path on this host, never another site."""
    referrer = urlsplit(request.referrer or "")
    same_site = referrer.netloc in ("", request.host) and referrer.scheme in ("", "http", "https")
    if same_site and referrer.path.startswith("/") and not referrer.path.startswith("//"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if request.method == "POST":
        return request.path
    return url_for("auth.index")


def render_without_database(template: str) -> str:
    """An error page, even when the database is down: then it is shown without the menu (which
    needs the signed-in user), and as plain HTML if even that fails."""
    if not g.get("without_database"):
        try:
            return render_template(template)
        except Exception:  # the page needed the database: render it without
            logging.getLogger(__name__).warning("Error page rendered without the database")
    g.without_database = True
    g._login_user = AnonymousUserMixin()  # flask-login's cache: nobody is loaded from the database
    try:
        return render_template(template)
    except Exception:
        return PLAIN_500


PLAIN_500 = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sorry, there is "
             "a problem with the service</title></head><body><h1>Sorry, there is a problem with "
             "the service</h1><p>Try again later.</p></body></html>")
