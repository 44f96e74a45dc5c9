"""Two saves of one standard at the same moment on PostgreSQL: one wins, the other gets Conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import utcnow
from portal.services.returns import (
    AnswerInput,
    Conflict,
    StandardInput,
    find_part,
    get_return,
    read_mark,
    save_standard,
    standard_parts,
)
from tests.support import factories
from tests.support.returns_helpers import issue, return_of


@pytest.mark.postgres_only
def test_simultaneous_saves_of_a_standard_never_both_succeed(
    app: Flask, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, variant="short")
    return_id = return_of(db, agency, issue(db)).id
    db.commit()
    ready = threading.Barrier(2)
    outcomes: list[str] = []

    def save(grade: str) -> None:
        with get_db(app).sessionmaker() as session:
            return_ = get_return(session, return_id, agency_id=None)
            part = find_part(standard_parts(session, return_), "1")
            mark = read_mark(session, return_, part)
            session.commit()  # the page is read; now both press save at once
            data = StandardInput([AnswerInput(q.code, grade) for q in part.questions], grade)
            ready.wait()
            try:
                save_standard(session, return_, part, data, read=mark, user_id=None,
                              now=utcnow())
                session.commit()
                outcomes.append("saved")
            except Conflict:
                session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(g,)) for g in ("good", "outstanding")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "saved"]
