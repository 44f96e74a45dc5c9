"""SMTP: one connection per batch, and failures told apart by where in the dialogue they happen.

A message is accepted once the server answers DATA with 2xx; whatever QUIT or the connection does
afterwards cannot undo that, so the caller records it as sent before anything else happens.
"""

from __future__ import annotations

import re
import smtplib
import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


class SenderProblem(Exception):
    """Nothing can be delivered now (connection, TLS, authentication, MAIL FROM refused):
    delivery pauses, every message stays queued and no address is blamed."""


class RecipientRefused(Exception):
    """The server refused this recipient for good (5xx at RCPT): the address bounced, unless
    the same refusal meets most of the batch (then the relay is refusing, not the address)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.kind = " ".join(detail.split()[:2])  # "550 5.1.1": the code and enhanced code


class MessageRefused(Exception):
    """The server refused this message for good (5xx at DATA): not retried, shown to managers."""


class TemporaryFailure(Exception):
    """This message could not be delivered now (4xx): retry it later."""


class ConnectionLost(Exception):
    """The connection broke during a message: its outcome is unknown, retry it later."""


class Stalled(ConnectionLost):
    """The server did not finish an exchange within the deadline: the connection was cut."""


# A refusal at RCPT that names relaying or authentication is about the sender, not the address.
_SENDER_REFUSAL = re.compile(r"relay|authenticat", re.IGNORECASE)


class Connection(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Connection]: ...


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int = 25
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: int = 10  # one read or write
    deadline: float = 30.0  # one whole exchange: connection set-up, or one message


class _Deadline:
    """Cuts the connection (shutting its socket down) if an exchange overruns `seconds`: a
    socket timeout bounds each read, but a server dripping "250-" lines never trips one."""

    def __init__(self, smtp: smtplib.SMTP, seconds: float) -> None:
        self.smtp, self.seconds, self.expired = smtp, seconds, False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = getattr(self.smtp, "sock", None)
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.timer.cancel()


class SmtpConnection:
    def __init__(self, smtp: smtplib.SMTP, deadline: float) -> None:
        self.smtp, self.deadline = smtp, deadline

    def send(self, message: EmailMessage) -> None:
        """Returns once DATA is accepted; raises one of this module's failures otherwise."""
        watch = _Deadline(self.smtp, self.deadline)
        try:
            with watch:
                self.smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            if watch.expired:
                raise Stalled(f"the mail server did not answer within {self.deadline:g} s "
                              f"(timed out)") from exc
            raise _failure(exc) from exc


def _failure(exc: OSError | smtplib.SMTPException) -> Exception:
    """What a failed send means: for the sender, this recipient, this message, or unknown."""
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SenderProblem(f"the server refused the sender at MAIL FROM: "
                             f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, error = min(exc.recipients.values())
        detail = f"{code} {_text(error)}"
        if code >= 500 and _SENDER_REFUSAL.search(detail):
            return SenderProblem(f"the server refused to relay the message: {detail}")
        return RecipientRefused(detail) if code >= 500 else TemporaryFailure(detail)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ConnectionLost(f"the connection was lost: {exc}")
    if isinstance(exc, smtplib.SMTPResponseException):  # DATA refused, or a reply out of place
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return MessageRefused(detail) if exc.smtp_code >= 500 else TemporaryFailure(detail)
    return ConnectionLost(f"{type(exc).__name__}: {exc}")


class SmtpTransport:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[SmtpConnection]:
        """One connection for a batch; a failure to set it up is a sender problem."""
        smtp = self._open()
        try:
            yield SmtpConnection(smtp, self.settings.deadline)
        finally:
            try:
                with _Deadline(smtp, self.settings.deadline):
                    smtp.quit()
            except (OSError, smtplib.SMTPException):  # what was accepted stays accepted
                smtp.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(timeout=s.timeout)
        with _Deadline(smtp, s.deadline) as watch:
            problem = f"cannot connect to {s.server}:{s.port}"
            try:
                smtp.connect(s.server, s.port)
                problem = "the server refused the connection set-up"
                if s.use_tls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password or "")
            except (OSError, smtplib.SMTPException) as exc:
                smtp.close()
                reason = f"no answer within {s.deadline:g} s" if watch.expired else _reason(exc)
                raise SenderProblem(f"{problem} ({reason})") from exc
        return smtp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
