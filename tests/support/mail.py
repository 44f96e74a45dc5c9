"""Waiting for an email in the test SMTP server's mailbox (browser journeys)."""

from __future__ import annotations

import time
from typing import Any


def wait_for_mail(mailbox: Any, address: str) -> Any:
    for _ in range(50):
        if mailbox.to(address):
            return mailbox.to(address)[0]
        time.sleep(0.1)
    raise AssertionError(f"no email to {address}")
