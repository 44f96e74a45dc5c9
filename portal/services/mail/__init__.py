"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._delivery import (
    DeliveryReport,
    SmtpSettings,
    SmtpTransport,
    deliver_outbox,
    transport_for,
)
from ._outbox import Attachment, Email, queue_email, queue_emails
from ._templates import render_email

__all__ = [
    "Attachment",
    "DeliveryReport",
    "Email",
    "SmtpSettings",
    "SmtpTransport",
    "deliver_outbox",
    "queue_email",
    "queue_emails",
    "render_email",
    "transport_for",
]
