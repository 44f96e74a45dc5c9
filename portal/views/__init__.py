"""One blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import agency, auth, committee, manager, moderation, moderation_admin

    for module in (auth, manager, agency, moderation, moderation_admin, committee):
        app.register_blueprint(module.bp)
