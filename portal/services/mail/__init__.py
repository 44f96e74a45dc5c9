"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._delivery import (
    BATCH_SIZE,
    DeliveryLimits,
    DeliveryReport,
    build_message,
    deliver_outbox,
    limits_for,
    message_id_for,
    transport_for,
)
from ._outbox import (
    LEASE,
    RETRY_DAYS,
    Attachment,
    BulkPreview,
    Email,
    Queued,
    as_stored,
    queue_email,
    queue_email_if,
    queue_emails,
)
from ._pauses import (
    OutboxHealth,
    current_pause,
    outbox_health,
    retry_failed,
    retry_undelivered,
)
from ._smtp import SenderProblem, SmtpSettings, SmtpTransport, Transport
from ._templates import render_email

__all__ = [
    "BATCH_SIZE",
    "LEASE",
    "RETRY_DAYS",
    "Attachment",
    "BulkPreview",
    "DeliveryLimits",
    "DeliveryReport",
    "Email",
    "OutboxHealth",
    "Queued",
    "SenderProblem",
    "SmtpSettings",
    "SmtpTransport",
    "Transport",
    "as_stored",
    "build_message",
    "current_pause",
    "deliver_outbox",
    "limits_for",
    "message_id_for",
    "outbox_health",
    "queue_email",
    "queue_email_if",
    "queue_emails",
    "render_email",
    "retry_failed",
    "retry_undelivered",
    "transport_for",
]
