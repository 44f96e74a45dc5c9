"""What the command groups share: a transaction, the clock, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import click
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from portal.db import database_reason, get_db
from portal.models import utcnow
from portal.services.accounts import LinkSettings
from portal.services.common import ImportRejected, Invalid, Scope, ServiceError
from portal.services.survey import SurveySettings


@contextmanager
def transaction(*, conflict: str | None = None, busy: str | None = None,
                scope: Scope | None = None) -> Iterator[Session]:
    """One transaction for a command: committed if it succeeds, rolled back if it fails. A
    clash with a concurrent run (`conflict`) or a database error (`busy`) is one line.

    It works in `scope`, or else in the installation's only partnership: on PostgreSQL, with
    several partnerships and no scope, row-level security shows it no partnership's rows."""
    try:
        with get_db().transaction(partnership_id=scope.id if scope else None) as session:
            yield session
    except ImportRejected as exc:
        for error in exc.errors:
            click.echo(f"Error: {error}", err=True)
        raise click.ClickException(str(exc)) from exc
    except Invalid as exc:
        # one line a problem, each in its own words (the field names are the web form's)
        for problem in exc.problems:
            click.echo(f"Error: {problem.message}", err=True)
        raise click.exceptions.Exit(1) from exc
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    except IntegrityError as exc:  # a concurrent run wrote the same rows first
        raise click.ClickException(conflict or (
            "Another run did the same at the same moment, so this one changed nothing "
            "(nothing was done twice); run it again to see where things stand")) from exc
    except OperationalError as exc:  # SQLite busy past its timeout, the database down, disk full
        raise click.ClickException(busy or (
            f"Nothing was changed: database error ({database_reason(exc)})")) from exc


def parse_now(value: str | None) -> datetime:
    """--now as naive UTC; the real clock when absent."""
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date-time like 2018-03-01T09:00") from exc
    if parsed.tzinfo is not None:
        from datetime import UTC

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{name} must be a date like 2018-03-31, not {value!r}") from exc


NOW_OPTION = click.option("--now", "now_text", metavar="ISO-DATETIME",
                          help="Act as if it were this moment (UTC), to replay a cycle.")


def link_settings() -> LinkSettings:
    return LinkSettings.from_config(current_app.config)


def survey_settings() -> SurveySettings:
    return SurveySettings(min_responses=int(current_app.config["SURVEY_MIN_RESPONSES"]),
                          gap_share=float(current_app.config["SURVEY_GAP_SHARE"]))


def record_job_success(name: str) -> None:
    """Note on the real clock (not --now) that a scheduled job finished: /metrics shows it. Only
    a note: if the database fails now, the job's work stands (and the mail worker keeps going)."""
    from portal.services import operations

    try:
        with get_db().transaction() as session:
            operations.record_success(session, name, now=utcnow())
    except SQLAlchemyError as exc:
        click.echo(f"Could not record this {name} run for /metrics: {exc.__class__.__name__}",
                   err=True)
