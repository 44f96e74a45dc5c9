"""flask cycles change / delete: the draft service the web uses, from the command line."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from portal.services import cycles


def _flask(app: Flask, *args: str) -> Any:
    with app.app_context():
        return app.test_cli_runner().invoke(args=["cycles", *args])


def test_flask_cycles_change_then_delete_a_draft(app: Flask, db: Session, tool: Any) -> None:
    cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                        now=datetime(2030, 9, 1))
    db.commit()

    changed = _flask(app, "change", "--label", "2030-31", "--new-label", "2031-32",
                     "--cohort", "B", "--deadline", "2031-02-28")
    assert changed.exit_code == 0, changed.output
    assert "Draft cycle 2031-32: cohort B, deadline 2031-02-28, final deadline 2031-03-28" \
        in changed.output
    deleted = _flask(app, "delete", "--label", "2031-32")
    assert deleted.exit_code == 0, deleted.output
    db.expire_all()
    assert cycles.list_cycles(db) == []


def test_flask_cycles_delete_refuses_an_opened_cycle(app: Flask, db: Session, tool: Any) -> None:
    opened = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                 now=datetime(2030, 9, 1))
    cycles.open_cycle(db, opened, now=datetime(2030, 9, 1), links=None)
    db.commit()

    refused = _flask(app, "delete", "--label", "2030-31")

    assert refused.exit_code != 0
    assert "only a draft cycle can be deleted" in refused.output
