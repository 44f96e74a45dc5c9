"""Several senders at once, and a sender killed mid-batch: every message arrives once, and any
copy carries the same Message-ID. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import utcnow
from portal.services.accounts import LinkSettings
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories, free_port, submit_form, url_for
from tests.support.mail import Mailbox
from tests.support.processes import FLASK, ROOT

INVITATIONS = 40
HELD_AFTER = 5  # the held server accepts this many messages, then holds the next
DEADLINE = 30  # seconds: readiness waits fail after this; nothing is timed
SMTP_TIMEOUT = "120"  # the senders wait this long for an answer: longer than any hold
OPENED = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=1)
LINKS = LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=72,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")


class HeldMailbox(Mailbox):
    """A real SMTP server whose pace the test sets, by events rather than delays: with `gate` it
    accepts no message until that many senders have connected (so the senders really overlap);
    with `hold_after` it accepts that many messages, then holds the next until `release()`."""

    def __init__(self, gate: int = 0, hold_after: int | None = None) -> None:
        super().__init__()
        self.gate = gate
        self.hold_after = hold_after
        self.connections = 0
        self.changed = threading.Condition()
        self.released = threading.Event()

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        with self.changed:
            self.connections += 1
            self.changed.notify_all()
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.get_running_loop().run_in_executor(None, self._wait_for_turn)
        answer = await super().handle_DATA(server, session, envelope)
        with self.changed:
            self.changed.notify_all()
        return answer

    def _wait_for_turn(self) -> None:
        with self.changed:  # deadlines well within the senders' SMTP timeout
            self.changed.wait_for(lambda: self.connections >= self.gate, timeout=DEADLINE)
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.released.wait(DEADLINE)

    def release(self) -> None:
        self.released.set()

    def wait_for_messages(self, count: int) -> None:
        """Readiness: until the server has accepted `count` messages (fails after DEADLINE)."""
        with self.changed:
            arrived = self.changed.wait_for(lambda: len(self.messages) >= count, DEADLINE)
        assert arrived, f"{len(self.messages)} of {count} messages arrived"


def _held_server(gate: int = 0, hold_after: int | None = None) -> Iterator[HeldMailbox]:
    box = HeldMailbox(gate, hold_after)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    box.release()
    controller.stop()


@pytest.fixture
def gated_mailbox() -> Iterator[HeldMailbox]:
    yield from _held_server(gate=2)


@pytest.fixture
def held_mailbox() -> Iterator[HeldMailbox]:
    yield from _held_server(hold_after=HELD_AFTER)


def _open_cycle(db: Session) -> None:
    """40 agencies whose contacts already have accounts: one invitation each."""
    factories.tool(db)
    for n in range(INVITATIONS):
        agency = factories.agency(db, f"Agency {n:02}", email=f"lead{n:02}@agency.example.org")
        factories.user(db, "agency", agency=agency, email=f"lead{n:02}@agency.example.org")
    cycle = create_cycle(db, label="2026-27", cohort="A", deadline=OPENED.date() + timedelta(60),
                         now=OPENED)
    open_cycle(db, cycle, now=OPENED, links=LINKS)
    db.commit()


def _at(minutes: int) -> str:
    return (OPENED + timedelta(minutes=minutes)).isoformat()


def _sender(app: Flask, port: int, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "PORTAL_ENV": "testing",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_TIMEOUT": SMTP_TIMEOUT,
           "SECRET_KEY": app.config["SECRET_KEY"], "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen([FLASK, "--app", "app", "mail", "send", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(run: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return run.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        run.send_signal(signal.SIGABRT)
        out, err = run.communicate(timeout=10)
        raise AssertionError(f"a sender hung:\n{out}\n{err}") from None


def _received(box: Mailbox) -> Counter[str]:
    return Counter(str(m["To"]) for m in box.messages)


def test_three_overlapping_mail_send_runs_deliver_each_invitation_once(
    app: Flask, db: Session, gated_mailbox: HeldMailbox
) -> None:
    _open_cycle(db)
    runs = [_sender(app, gated_mailbox.port, "--now", _at(1), "--batch", "4")  # type: ignore[attr-defined]
            for _ in range(3)]
    outputs = [_finish(run) for run in runs]

    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    received = _received(gated_mailbox)
    assert len(received) == INVITATIONS and set(received.values()) == {1}
    sent = [int(out.split("Sent ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(sent) == INVITATIONS
    assert sum(1 for n in sent if n) >= 2, sent  # the runs really did share the work


def test_two_web_requests_plus_cron_deliver_each_message_once(
    app: Flask, db: Session, client: FlaskClient, held_mailbox: HeldMailbox
) -> None:
    _open_cycle(db)
    user = factories.user(db, "manager", email="manager@example.org")
    db.commit()
    cron = _sender(app, held_mailbox.port, "--batch", "4")  # type: ignore[attr-defined]
    held_mailbox.wait_for_messages(HELD_AFTER)  # cron is mid-run, holding a message ...
    for _ in range(2):  # ... while two requests queue mail
        response = submit_form(client, url_for(app, "auth.forgot_password"), {"email": user.email})
        assert response.status_code == 200
    held_mailbox.release()
    _finish(cron)
    assert cron.returncode == 0
    _finish(_sender(app, held_mailbox.port))  # type: ignore[attr-defined]  # the next cron run

    received = _received(held_mailbox)
    assert received.pop("manager@example.org") == 2  # two requests, two links
    assert len(received) == INVITATIONS and set(received.values()) == {1}


def test_a_sender_killed_mid_batch_loses_nothing_and_a_copy_keeps_its_message_id(
    app: Flask, db: Session, held_mailbox: HeldMailbox
) -> None:
    _open_cycle(db)
    killed = _sender(app, held_mailbox.port, "--now", _at(1))  # type: ignore[attr-defined]
    held_mailbox.wait_for_messages(HELD_AFTER)  # 5 sent; the server holds the rest
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=120)
    assert len(held_mailbox.messages) == HELD_AFTER  # killed mid-batch, whatever the scheduling
    held_mailbox.release()

    after_lease = _at(10)  # the killed sender's claim has expired by then
    rerun = _sender(app, held_mailbox.port, "--now", after_lease)  # type: ignore[attr-defined]
    _out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err

    received = _received(held_mailbox)
    assert len(received) == INVITATIONS  # nothing lost
    ids: dict[str, set[str]] = {}
    for message in held_mailbox.messages:
        ids.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    assert all(len(found) == 1 for found in ids.values()), ids  # a copy has the same id
    # at most the one message in flight when the sender died can arrive twice
    assert sum(received.values()) - INVITATIONS <= 1


def test_the_mail_worker_delivers_as_mail_is_queued_and_stops_cleanly_on_sigterm(
    app: Flask, db: Session, held_mailbox: HeldMailbox
) -> None:
    from portal.services import mail
    from portal.services.mail import Email

    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "PORTAL_ENV": "testing",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(held_mailbox.port),  # type: ignore[attr-defined]
           "MAIL_TIMEOUT": SMTP_TIMEOUT, "SECRET_KEY": app.config["SECRET_KEY"]}
    worker = subprocess.Popen([FLASK, "--app", "app", "mail", "worker", "--interval", "0.2"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        mail.queue_email(db, Email(to="lead@example.org", subject="Hello", text="x"), kind="t",
                         now=utcnow())
        db.commit()
        held_mailbox.wait_for_messages(1)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=120)
    assert [m["To"] for m in held_mailbox.messages] == ["lead@example.org"]
    assert worker.returncode == 0, err
    assert "Stopping after the current batch (SIGTERM)" in out and "Mail worker stopped" in out
