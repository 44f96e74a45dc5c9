"""The Compact Audit Portal."""

from __future__ import annotations

from typing import Any

from flask import Flask

from config import load_settings


def create_app(env: str | None = None, **overrides: Any) -> Flask:
    """Build the app: settings, database, templates, security, sign-in, views, commands."""
    from portal import auth, cli, db, web
    from portal.views import register_blueprints

    settings = load_settings(env, **overrides)
    app = Flask(__name__, template_folder=None, static_folder=None)
    app.config.from_mapping(settings.as_flask_config())
    db.register_database(app)
    web.register_templates(app)
    web.register_assets(app)
    web.register_security(app)
    auth.register_login(app)
    register_blueprints(app)
    web.register_error_pages(app)
    cli.register_commands(app)
    return app
