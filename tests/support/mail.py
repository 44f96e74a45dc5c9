"""Mail in tests: the aiosmtpd server's mailbox, delivering what requests queued, waiting for a
message (browser journeys) by readiness."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from flask import Flask

from tests.support import wait_until


class Mailbox:
    """Messages an aiosmtpd server received; addresses in `reject` get a 550.

    Web requests only queue mail. `to(address)` first runs the outbox delivery cron would run
    (when the test uses the `app` fixture), so a test reads what a user would find in their
    inbox; `messages` is only what the server has received so far."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reject: set[str] = set()
        self.lock = threading.Lock()
        self.cron: Any = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        if self.cron is not None:
            self.cron()
        return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
        self.reject.clear()
        self.cron = None


def deliver(app: Flask) -> None:
    """What cron or the mail worker does after a request queued mail (requests never send)."""
    from portal.delivery import deliver_from_app
    from portal.models import utcnow

    deliver_from_app(app, now=utcnow())



def wait_for_mail(mailbox: Mailbox, address: str, *, timeout: float = 60.0) -> EmailMessage:
    """The first message to `address`, once the outbox has been delivered and it has arrived."""
    wait_until(lambda: bool(mailbox.to(address)), f"an email to {address}", timeout=timeout)
    return mailbox.to(address)[0]
