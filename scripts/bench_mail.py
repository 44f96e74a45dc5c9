"""Time delivering the outbox to a local SMTP sink: queue N messages in a scratch SQLite (or
--database-url) database, start an aiosmtpd server that accepts everything, and run the sender
(claims in batches, one connection per batch). Prints messages per second; asserts nothing.

    .venv/bin/python scripts/bench_mail.py [--messages 2000] [--senders 1] [--batch 50]
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller
from sqlalchemy import insert

from portal import migrate
from portal.db import Database
from portal.models import OutboxMessage
from portal.services.mail import SmtpSettings, SmtpTransport, deliver_outbox

NOW = datetime(2026, 3, 2, 9, 0)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


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
    database = Database(url)
    with database.transaction() as session:
        session.execute(insert(OutboxMessage), [
            {"kind": "bench", "to_address": f"user{n}@example.org", "subject": f"Message {n}",
             "body_text": "A reminder about the Compact Audit.\n" * 20, "status": "pending",
             "attempts": 0, "created_at": NOW, "next_attempt_at": NOW}
            for n in range(args.messages)])
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    transport = SmtpTransport(SmtpSettings("127.0.0.1", controller.port))
    started = time.perf_counter()
    threads = [threading.Thread(target=deliver_outbox, args=(database.sessionmaker, transport),
                                kwargs={"sender": "audit@example.org", "now": NOW,
                                        "batch_size": args.batch})
               for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    controller.stop()
    print(f"{sink.count} of {args.messages} messages delivered by {args.senders} sender(s), "
          f"batch {args.batch}, in {elapsed:.2f} s: {sink.count / elapsed:.0f} messages/s "
          f"({url.split(':')[0]})")


if __name__ == "__main__":
    main()
