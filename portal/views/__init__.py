"""One blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import agency, auth, committee, manager, moderation, reports

    for module in (auth, manager, agency, moderation, committee, reports):
        app.register_blueprint(module.bp)
