"""`flask returns import`: answers and evidence from a CSV, all or nothing with line numbers."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Answer, AuditEvent, Question, Return, ReturnStatus
from portal.services.common import ImportRejected
from portal.services.returns import import_returns, progress
from tests.support import factories, wait_until
from tests.support.returns_helpers import issue, return_of

HEADER = "type,agency,code,grade,comment,na_reason,evidence\n"


def run(app: Flask, tmp_path: Path, text: str, *args: str) -> Any:
    path = tmp_path / "returns.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["returns", "import", str(path), *args])


def test_import_stores_answers_evidence_and_blanks_as_not_answered(
    app: Flask, db: Session, tool: Any, tmp_path: Path
) -> None:
    agency = factories.agency(db, "Riverside Youth Club", variant="short")
    cycle = issue(db, label="2017-18")
    db.commit()
    result = run(app, tmp_path,
                 "answer,riverside youth club,1.1,Good,Reviewed,,\n"
                 "answer,Riverside Youth Club,1.3,,,,\n"
                 "answer,Riverside Youth Club,12.2,not_applicable,,No such service,\n"
                 "evidence,Riverside Youth Club,1,,,,Policy and minutes\n",
                 "--cycle", "2017-18", "--submit", "--now", "2018-04-01T09:00")
    assert result.exit_code == 0, result.output
    assert "Imported 3 answers and 1 evidence descriptions into 1 returns" in result.output
    return_ = return_of(db, agency, cycle)
    assert return_.status == ReturnStatus.SUBMITTED.value
    grades = {c: g for c, g in db.execute(select(Question.code, Answer.grade).join(Question))}
    assert grades == {"1.1": "good", "1.3": None, "12.2": "not_applicable"}
    assert progress(db, [return_.id])[return_.id].answered == 2  # the blank is not answered
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "return.imported")) == 1


def test_import_rejects_the_whole_file_naming_each_bad_line(
    app: Flask, db: Session, tool: Any, tmp_path: Path
) -> None:
    factories.agency(db, "Riverside Youth Club", variant="short")
    factories.agency(db, "Hillside Trust", cohort="B")
    issue(db, label="2017-18")
    db.commit()
    result = run(app, tmp_path,
                 "answer,Riverside Youth Club,1.1,good,,,\n"
                 "answer,Riverside Youth Club,1.2,excellent,,,\n"
                 "answer,Riverside Youth Clubb,1.1,good,,,\n"
                 "answer,Riverside Youth Club,1.2,good,,,\n"
                 "answer,Hillside Trust,1.1,good,,,\n"
                 "evidence,Riverside Youth Club,99,,,,Text\n"
                 "question,Riverside Youth Club,1.1,good,,,\n",
                 "--cycle", "2017-18")
    assert result.exit_code != 0
    for expected in ("Line 3: 'excellent' is not a grade",
                     "Line 4: no agency called 'Riverside Youth Clubb'",
                     "Line 5: question 1.2 is not in the short tool",
                     "Line 6: Hillside Trust was not issued the 2017-18 audit",
                     "Line 7: there is no standard 99",
                     "Line 8: type must be answer or evidence"):
        assert expected in result.output
    assert "nothing was saved" in result.output
    assert db.scalars(select(Answer)).all() == []


def test_import_help_documents_the_format(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["returns", "import", "--help"])
    assert "type,agency,code,grade,comment,na_reason,evidence" in result.output
    assert "blank grade means not answered" in result.output.replace("\n", " ").replace("  ", " ")


@pytest.mark.postgres_only
def test_a_return_saved_after_the_import_read_it_is_a_conflict_and_nothing_is_overwritten(
    app: Flask, db: Session, tool: Any
) -> None:
    agency = factories.agency(db, "Riverside Youth Club", variant="short")
    cycle = issue(db, label="2017-18")
    db.commit()
    return_id = return_of(db, agency, cycle).id
    sessions = get_db(app).sessionmaker
    outcome: list[BaseException | None] = []

    def run_import() -> None:
        try:
            with sessions() as session, session.begin():
                import_returns(session, HEADER + "answer,Riverside Youth Club,1.1,Good,,,\n",
                               cycle_label="2017-18", submit=False, user_id=None,
                               now=datetime(2018, 4, 1, 9))
            outcome.append(None)
        except ImportRejected as exc:
            outcome.append(exc)

    with sessions() as web, web.begin():  # a web save in progress: not committed yet
        web.execute(update(Return).where(Return.id == return_id)
                    .values(version=Return.version + 1))
        importer = threading.Thread(target=run_import)
        importer.start()  # it reads the old version, then waits on the web save's row lock
        def import_waits_on_a_lock() -> bool:
            # pg_stat_activity is read once per transaction unless its snapshot is cleared
            web.execute(text("SELECT pg_stat_clear_snapshot()"))
            return bool(web.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE "
                "wait_event_type = 'Lock' AND datname = current_database()")))

        wait_until(lambda: not importer.is_alive() or import_waits_on_a_lock(),
                   "the import waiting on the web save's row lock", timeout=30)
        assert importer.is_alive(), f"the import finished without waiting: {outcome}"
    importer.join(timeout=30)

    [error] = outcome
    assert isinstance(error, ImportRejected)
    assert "saved by someone else after the import read it" in str(error.errors[0])
    assert db.scalar(select(func.count(Answer.id))) == 0  # nothing imported, nothing overwritten
