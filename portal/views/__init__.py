"""One blueprint per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import agency, auth, committee, manager, manager_returns, moderation

    for module in (auth, manager, manager_returns, agency, moderation, committee):
        app.register_blueprint(module.bp)
