"""The Compact Audit Portal."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask

from config import load_settings


def create_app(env: str | None = None, **overrides: Any) -> Flask:
    """Build the app: settings, database, templates, security, sign-in, views, commands.

    The cyclic garbage collector is paused meanwhile: building the app (the first time, importing
    the models, services and views) makes tens of thousands of long-lived objects and no garbage,
    and the collector's passes over them were a fifth of the CLI's start-up time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _create_app(env, **overrides)
    finally:
        if collecting:
            gc.enable()


def _create_app(env: str | None, **overrides: Any) -> Flask:
    from portal import access, auth, cli, db, observability, redirects, web
    from portal.views import register_blueprints

    settings = load_settings(env, **overrides)
    app = Flask(__name__, template_folder=None, static_folder=None)
    app.config.from_mapping(settings.as_flask_config())
    observability.register_observability(app)  # first: its after-request hook runs last
    db.register_database(app)
    web.register_templates(app)
    web.register_assets(app)
    web.register_security(app)
    web.register_input_guard(app)
    auth.register_login(app)
    access.register_second_factor_gate(app)
    register_blueprints(app)
    web.register_error_pages(app)
    redirects.register_redirect_bounds(app)
    cli.register_commands(app)
    return app
