"""A save that races a submission never writes into the submitted return."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Answer, Return, ReturnStatus, utcnow
from portal.services.cycles import mark_submitted
from portal.services.returns import (
    AnswerInput,
    ReturnLocked,
    StandardInput,
    bump_version,
    find_part,
    get_return,
    read_mark,
    save_standard,
    standard_parts,
)
from tests.support import factories
from tests.support.returns_helpers import issue, return_of


def test_a_save_after_someone_else_submitted_is_refused(
    app: Flask, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, variant="short")
    return_id = return_of(db, agency, issue(db)).id
    db.commit()
    sessions = get_db(app).sessionmaker
    with sessions() as first:
        return_ = get_return(first, return_id, agency_id=None)
        part = find_part(standard_parts(first, return_), "1")
        mark = read_mark(first, return_, part)
        with sessions() as second:  # meanwhile a colleague submits
            theirs = get_return(second, return_id, agency_id=None)
            assert bump_version(second, theirs, theirs.version, now=utcnow())
            mark_submitted(second, theirs, now=utcnow(), user_id=None)
            second.commit()
        data = StandardInput([AnswerInput(q.code, "outstanding") for q in part.questions], "x")
        with pytest.raises(ReturnLocked, match="submitted while you were working"):
            save_standard(first, return_, part, data, read=mark, user_id=None, now=utcnow())
        first.rollback()
    stored = db.get(Return, return_id)
    assert stored is not None and stored.status == ReturnStatus.SUBMITTED.value
    assert db.scalar(select(func.count(Answer.id)).where(Answer.return_id == return_id)) == 0
