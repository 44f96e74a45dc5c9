"""Misbehaving mail relays for the delivery tests: real aiosmtpd servers whose handlers are slow,
hold a message until released, refuse relaying, or stall. Each records what it received in the
Mailbox it extends."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port
from tests.support.mail import Mailbox


@contextmanager
def running(handler: Mailbox) -> Iterator[int]:
    """Serve `handler` on 127.0.0.1; yields the port."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


class SlowRelay(Mailbox):
    """Takes `seconds` to accept each message (a throttled or distant relay)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.seconds)  # the relay's pace, not the test waiting
        return await super().handle_DATA(server, session, envelope)


class HoldingRelay(Mailbox):
    """Holds the first DATA it receives until `release` is set; `holding` is set meanwhile.
    Other connections are served normally (the hold runs off the server's event loop)."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_once = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.held_once:
            self.held_once = True
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return await super().handle_DATA(server, session, envelope)


class RefusingRelay(Mailbox):
    """Answers every RCPT with `refusal` while `refusing` (a relay that will not relay for the
    portal); set `refusing` to False to "fix" it."""

    def __init__(self, refusal: str = "550 5.7.1 Unable to relay") -> None:
        super().__init__()
        self.refusal = refusal
        self.refusing = True

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if self.refusing:
            return self.refusal
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


class StallingRelay(Mailbox):
    """Never answers the command named by `stage` ("MAIL" after MAIL FROM, "DATA" after the
    message's content), or with `drip`, answers it with "250-" continuation lines forever (each
    in good time, so no socket timeout trips). `stalls` counts the exchanges it held."""

    def __init__(self, stage: str, *, drip: bool = False) -> None:
        super().__init__()
        self.stage, self.drip, self.stalls = stage, drip, 0

    async def _stall(self, server: Any) -> None:
        self.stalls += 1
        while self.drip:  # ends when the client hangs up: aiosmtpd cancels the handler
            await server.push("250-still working on it")
            await asyncio.sleep(0.05)  # the relay's pace, not the test waiting
        await asyncio.Event().wait()  # never set: cancelled when the client hangs up

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: Any) -> str:
        if self.stage == "MAIL":
            await self._stall(server)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stage == "DATA":
            await self._stall(server)
        return await super().handle_DATA(server, session, envelope)
