"""One blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import agency, auth, chasers, committee, manager, moderation

    for module in (auth, manager, agency, moderation, committee, chasers):
        app.register_blueprint(module.bp)
