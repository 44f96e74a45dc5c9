"""Set-based inserts (portal/services/common/_bulk.py) on the engine under test: new ids come back
in the rows' order, the Python-side defaults of columns the rows leave out are filled in, and
every value arrives as given (text with quotes, commas and braces; NULLs; binary)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OutboxAttachment, OutboxMessage, OutboxStatus
from portal.services.common import bulk_insert, insert_returning_ids

AWKWARD = ['plain', 'a "quoted", {braced} value', "back\\slash, NULL", "", "line\nbreak", "é ✓"]


def _rows(count: int) -> list[dict[str, object]]:
    return [{"kind": "test", "to_address": f"person{n}@example.org",
             "subject": AWKWARD[n % len(AWKWARD)], "body_text": f"body {n}",
             "body_html": None if n % 3 else f"<p>{n}</p>"} for n in range(count)]


def test_ids_come_back_in_the_rows_order_with_defaults_filled_in(db: Session) -> None:
    rows = _rows(12_345)  # more than one batch
    ids = insert_returning_ids(db, OutboxMessage, rows)
    db.commit()
    assert len(ids) == len(rows) == len(set(ids))
    stored = {m.id: m for m in db.scalars(select(OutboxMessage))}
    for given, new_id in zip(rows, ids, strict=True):
        message = stored[new_id]
        assert (message.to_address, message.subject, message.body_html) == (
            given["to_address"], given["subject"], given["body_html"])
        assert message.status == OutboxStatus.PENDING.value  # a scalar default
        assert message.attempts == 0
        assert message.created_at is not None and message.next_attempt_at is not None


def test_bulk_insert_stores_every_row_as_given(db: Session) -> None:
    [message_id] = insert_returning_ids(db, OutboxMessage, _rows(1))
    files = [{"message_id": message_id, "filename": f"file-{n}.ics", "content_type": "text/calendar",
              "content": bytes([n % 256, 0, 255]) * (n + 1)} for n in range(700)]
    assert bulk_insert(db, OutboxAttachment, files) == 700
    db.commit()
    stored = {a.filename: a.content for a in db.scalars(select(OutboxAttachment))}
    assert stored == {f["filename"]: f["content"] for f in files}
