"""SMTP: one connection per batch, and failures told apart by where in the dialogue they happen.

A message is accepted once the server answers DATA with 2xx; whatever QUIT or the connection does
afterwards cannot undo that, so the caller records it as sent before anything else happens.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


class SenderProblem(Exception):
    """Nothing can be delivered now (connection, TLS, authentication, MAIL FROM refused):
    delivery pauses, every message stays queued and no address is blamed."""


class RecipientRefused(Exception):
    """The server refused this recipient for good (5xx at RCPT): the address bounced."""


class MessageRefused(Exception):
    """The server refused this message for good (5xx at DATA): not retried, shown to managers."""


class TemporaryFailure(Exception):
    """This message could not be delivered now (4xx): retry it later."""


class ConnectionLost(Exception):
    """The connection broke during a message: its outcome is unknown, retry it later."""


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
    timeout: int = 10


class SmtpConnection:
    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp

    def send(self, message: EmailMessage) -> None:
        """Returns once DATA is accepted; raises one of this module's failures otherwise."""
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPSenderRefused as exc:
            raise SenderProblem(f"the server refused the sender at MAIL FROM: "
                                f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            code, error = min(exc.recipients.values())
            detail = f"{code} {_text(error)}"
            raise (RecipientRefused(detail) if code >= 500 else TemporaryFailure(detail)) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise ConnectionLost(f"the connection was lost: {exc}") from exc
        except smtplib.SMTPResponseException as exc:  # DATA refused, or a reply out of place
            detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            raise (MessageRefused(detail) if exc.smtp_code >= 500 else TemporaryFailure(detail)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionLost(f"{type(exc).__name__}: {exc}") from exc


class SmtpTransport:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[SmtpConnection]:
        """One connection for a batch; a failure to set it up is a sender problem."""
        smtp = self._open()
        try:
            yield SmtpConnection(smtp)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):  # what was accepted stays accepted
                smtp.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise SenderProblem(f"cannot connect to {s.server}:{s.port} ({_reason(exc)})") from exc
        try:
            if s.use_tls:
                smtp.starttls()
            if s.username:
                smtp.login(s.username, s.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise SenderProblem(f"the server refused the connection set-up ({_reason(exc)})") from exc
        return smtp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
