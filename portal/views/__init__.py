"""One blueprint per audience."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

BLUEPRINT_MODULES = (
    "auth",
    "sso",
    "security",
    "manager",
    "agency",
    "moderation",
    "committee",
    "cycles",
    "reports",
    "moderation_admin",
    "chasers",
    "bulk_chase",
    "manager_returns",
    "recommendations",
    "requests",
    "agency_requests",
    "survey",
    "agency_survey",
    "agency_visits",
    "survey_results",
    "site",
    "passkeys",
)


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(f"{__name__}.{name}").bp)
