"""Delivering the outbox with an app's settings: for the mail and chaser commands, and after a
request that queued mail (save, then send)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from portal.db import get_db
from portal.models import utcnow
from portal.services.mail import DeliveryReport, deliver_outbox, transport_for


def deliver_from_app(app: Flask, *, now: Any) -> DeliveryReport:
    """Deliver what is due using an app's settings."""
    return deliver_outbox(get_db(app).sessionmaker, transport_for(app.config),
                          sender=app.config["MAIL_DEFAULT_SENDER"], now=now)


def register_delivery_after_requests(app: Flask) -> None:
    """Mail queued by a request goes once its transaction has committed; failures stay queued
    for `flask mail send`."""

    def deliver(app: Flask, info: dict[str, Any]) -> None:
        if not info.get("mail_queued"):
            return
        try:
            deliver_from_app(app, now=utcnow())
        except Exception:  # the row is safe in the outbox; the next run retries it
            app.logger.exception("Could not deliver the outbox after a request")

    app.extensions["portal_after_commit"].append(deliver)
