"""Time delivering the outbox to a local SMTP sink: queue N messages in a scratch SQLite (or
--database-url) database, start an aiosmtpd server that accepts everything, and run the sender
(claims in batches, one connection per batch) as `flask mail send` does. Prints messages per
second; asserts nothing.

    .venv/bin/python scripts/bench_mail.py [--messages 2000] [--senders 1] [--batch 50]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from portal import create_app, migrate
from portal.db import get_db
from portal.delivery import deliver_from_app
from portal.models import OutboxMessage

NOW = datetime(2026, 3, 2, 9, 0)


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP sink did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    migrate.upgrade(url)
    port = _free_port()  # the sink runs in its own process, as a real relay would
    app = create_app("testing", DATABASE_URL=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                     MAIL_DEFAULT_SENDER="audit@example.org")
    with get_db(app).transaction() as session:
        session.execute(insert(OutboxMessage), [
            {"kind": "bench", "to_address": f"user{n}@example.org", "subject": f"Message {n}",
             "body_text": "A reminder about the Compact Audit.\n" * 20, "status": "pending",
             "attempts": 0, "created_at": NOW, "next_attempt_at": NOW}
            for n in range(args.messages)])
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    _wait_for(port)
    started = time.perf_counter()
    reports: list[Any] = []

    def send() -> None:
        reports.append(deliver_from_app(app, now=NOW, batch_size=args.batch))

    threads = [threading.Thread(target=send) for _ in range(args.senders)]
    if len(threads) == 1:
        send()  # in this thread, so that a profiler sees it
    else:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - started
    sink.terminate()
    sent = sum(r.sent for r in reports)
    print(f"{sent} of {args.messages} messages accepted by a local SMTP sink from "
          f"{args.senders} sender(s), batch {args.batch}, in {elapsed:.2f} s: "
          f"{sent / elapsed:.0f} messages/s ({url.split(':')[0]})")


if __name__ == "__main__":
    main()
