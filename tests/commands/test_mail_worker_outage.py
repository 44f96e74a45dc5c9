"""Workers that stay up: `flask mail worker` started while PostgreSQL is down, and through a
PostgreSQL restart, keeps running, says once per outage that the database is unavailable, and
delivers what was queued once it is back."""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from portal import migrate
from portal.db import make_engine
from portal.models import utcnow
from portal.services import mail
from portal.services.mail import Email
from tests.support import free_port, require, wait_until
from tests.support.mail import Mailbox
from tests.support.processes import FLASK, ROOT, OwnPostgres, flask_env
from tests.support.relays import running

pytestmark = pytest.mark.sqlite_pass_only  # its own PostgreSQL server, whatever TEST_DB says


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    require(Path("/usr/lib/postgresql").is_dir(), "PostgreSQL is not installed")
    parent = Path(tempfile.mkdtemp(prefix="portal-mail-pg-"))
    parent.chmod(0o755)  # the postgres user must reach its data folder
    server = OwnPostgres(parent / "data", free_port())
    server.start()
    yield server
    if (parent / "data" / "postmaster.pid").exists():
        server.stop()
    shutil.rmtree(parent, ignore_errors=True)


def _queue(url: str, address: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        mail.queue_email(session, Email(to=address, subject="Hello", text="x"), kind="t",
                         now=utcnow())
    engine.dispose()


def _lines(worker: subprocess.Popen[str], into: list[str]) -> None:
    assert worker.stderr is not None
    for line in worker.stderr:
        into.append(line.rstrip())


def test_the_mail_worker_survives_a_database_outage_and_a_restart_and_delivers_after(
    own_postgres: OwnPostgres,
) -> None:
    migrate.upgrade(own_postgres.url)
    own_postgres.stop()  # the worker starts while the database is down
    relay = Mailbox()
    errors: list[str] = []
    with running(relay) as smtp_port:
        worker = subprocess.Popen(
            [FLASK, "--app", "app", "mail", "worker", "--interval", "0.2",
             "--paused-interval", "1"], cwd=ROOT, env=flask_env(own_postgres.url, smtp_port),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        reader = threading.Thread(target=_lines, args=(worker, errors), daemon=True)
        reader.start()
        try:
            for n in (1, 2):
                wait_until(lambda n=n: sum("Database unavailable" in e for e in errors) == n,
                           f"the worker noticing outage {n}")
                own_postgres.start()
                _queue(own_postgres.url, f"after{n}@example.org")
                wait_until(lambda n=n: bool(relay.to(f"after{n}@example.org")),
                           f"the email queued after outage {n}")
                # the round that sent it has ended: the next outage is a new one
                wait_until(lambda n=n: sum("available again" in e for e in errors) == n,
                           f"the worker noticing the end of outage {n}")
                assert worker.poll() is None, "\n".join(errors)
                if n == 1:
                    own_postgres.stop()  # a restart: down, then up again
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the worker said:\n" + "\n".join(errors)) from None
        finally:
            worker.send_signal(signal.SIGTERM)
            exit_code = worker.wait(timeout=60)
        reader.join(timeout=10)

    assert exit_code == 0, "\n".join(errors)
    assert not any("Traceback" in e for e in errors), "\n".join(errors)
    assert sum("Database unavailable" in e for e in errors) == 2  # one line per outage
    assert sum("Database available again" in e for e in errors) == 2
    assert [len(relay.to(f"after{n}@example.org")) for n in (1, 2)] == [1, 1]


def test_mail_send_reports_a_database_error_in_one_line_and_exits_non_zero() -> None:
    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"  # nothing listens
    with running(Mailbox()) as smtp_port:
        result = subprocess.run([FLASK, "--app", "app", "mail", "send"], cwd=ROOT,
                                env=flask_env(down, smtp_port), capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: Mail not sent: database error (")
    assert "Messages stay queued" in lines[0]
