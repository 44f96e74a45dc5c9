"""The scheduled commands record their successful runs, which /metrics shows."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from portal.services import operations


def _run(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output


def test_chasers_mail_and_the_backups_note_record_their_runs(app: Flask, db: Session) -> None:
    assert operations.last_successes(db) == {}
    _run(app, "mail", "send")
    _run(app, "chasers", "send")
    _run(app, "jobs", "succeeded", "backup")
    db.commit()
    assert set(operations.last_successes(db)) == {"mail", "chasers", "backup"}


def test_jobs_succeeded_refuses_an_unknown_job(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "succeeded", "cron"])
    assert result.exit_code != 0 and "Invalid value" in result.output
