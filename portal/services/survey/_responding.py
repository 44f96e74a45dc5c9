"""Recording one practitioner's anonymous response, within the link's declared headcount."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    Date,
    Table,
    TextClause,
    bindparam,
    func,
    insert,
    text,
    update,
)
from sqlalchemy.orm import Session

from portal.models import SurveyAnswerRow, SurveyLink, SurveyResponse
from portal.services.common import ServiceError
from portal.vocabulary import SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS, SurveyAnswer

ANSWERS = {a.value for a in SurveyAnswer}
ID_BITS = 62  # random ids: a response's id says nothing of when it came (BIGINT, positive)


class StatementLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...


class ResponseInvalid(ServiceError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class SurveyFull(ServiceError):
    """The link has taken as many responses as its declared headcount."""


def _errors(statements: Sequence[StatementLike], answers: Mapping[str, str],
            role_band: str | None, service_band: str | None) -> dict[str, str]:
    errors = {
        st.code: f"Select an answer for statement {position}"
        for position, st in enumerate(statements, 1) if answers.get(st.code) not in ANSWERS
    }
    if role_band and role_band not in SURVEY_ROLE_BANDS:
        errors["role_band"] = "Select your role, or leave it blank"
    if service_band and service_band not in SURVEY_SERVICE_BANDS:
        errors["service_band"] = "Select how long you have worked here, or leave it blank"
    return errors


# The survey post is the busiest write: its statements are built once, not per response.
def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


# Core statements on the tables, run on the session's connection: no ORM bookkeeping is needed.
_LINKS = _table(SurveyLink).c
_TAKE_PLACE = (
    update(_table(SurveyLink))
    .where(_LINKS.cycle_id == bindparam("link_cycle"), _LINKS.agency_id == bindparam("link_agency"),
           _LINKS.taken < func.coalesce(_LINKS.headcount, bindparam("default_cap")))
    .values(taken=_LINKS.taken + 1)
)
_INSERT_RESPONSE = insert(_table(SurveyResponse))
_INSERT_ANSWERS: dict[int, TextClause] = {}


def _insert_answers(statements: int) -> TextClause:
    """One INSERT of a response's `statements` answer rows, one text per number of statements,
    kept: a single statement to run (an executemany of 12 rows cost psycopg more Python than
    all the post's other statements together; a Core multi-row insert cost SQLAlchemy as much
    again to key its cache at each run)."""
    if statements not in _INSERT_ANSWERS:
        rows = ", ".join(f"(:response_id, :s{n}, :a{n})" for n in range(statements))
        # the only text put in is `rows`, built from integers; every value is a bound parameter
        _INSERT_ANSWERS[statements] = text(
            f"INSERT INTO {SurveyAnswerRow.__tablename__} (response_id, statement_id, answer)"  # nosec B608
            f" VALUES {rows}")
    return _INSERT_ANSWERS[statements]


def take_place(session: Session, *, cycle_id: int, agency_id: int, default_cap: int) -> None:
    """Count one more response against the link's cap, atomically; SurveyFull when it is full.

    One conditional UPDATE: concurrent posters queue on the link's row (PostgreSQL) or on the
    database's write lock (SQLite), so the cap holds however many post at once.
    """
    taken: CursorResult[Any] = session.connection().execute(
        _TAKE_PLACE, {"link_cycle": cycle_id, "link_agency": agency_id, "default_cap": default_cap})
    if not taken.rowcount:
        raise SurveyFull("This survey has had as many answers as the agency has staff")


_ALIKE: dict[int, TextClause] = {}


def _alike_count(statements: int) -> str:
    """SQL counting the link's responses of a day, not set aside, that match at least `:least`
    of `statements` (statement, answer) pairs `:sN`, `:aN`."""
    matches = " ".join(f"WHEN a.statement_id = :s{n} AND a.answer = :a{n} THEN 1"
                       for n in range(statements))
    # the only text put in is `matches`, built from integers; every value is a bound parameter
    return ("SELECT count(*) FROM (SELECT r.id FROM survey_responses r"  # nosec B608
            " JOIN survey_answers a ON a.response_id = r.id"
            " WHERE r.cycle_id = :cycle_id AND r.agency_id = :agency_id"
            " AND r.answered_on = :today AND r.set_aside IS NULL"
            f" GROUP BY r.id HAVING sum(CASE {matches} ELSE 0 END) >= :least) alike")


def _alike_query(statements: int) -> TextClause:
    """The 'alike' count as a query; one text per number of statements, kept."""
    if statements not in _ALIKE:
        _ALIKE[statements] = text(_alike_count(statements)).bindparams(
            bindparam("today", type_=Date()))
    return _ALIKE[statements]


_INSERT_FLAGGING: dict[int, TextClause] = {}


def _insert_flagging(statements: int) -> TextClause:
    """The response's INSERT that flags it 'alike' itself, with the count as its subquery (which
    sees the link's responses before this one): one statement where a count and an insert
    were two. One text per number of statements, kept."""
    if statements not in _INSERT_FLAGGING:
        _INSERT_FLAGGING[statements] = text(
            f"INSERT INTO {SurveyResponse.__tablename__}"  # nosec B608: see _alike_count
            " (id, cycle_id, agency_id, role_band, service_band, answered_on, flag)"
            " SELECT :id, :cycle_id, :agency_id, :role_band, :service_band, :today,"
            f" CASE WHEN ({_alike_count(statements)}) + 1 >= :alike_run THEN :alike_flag END"
        ).bindparams(bindparam("today", type_=Date()))
    return _INSERT_FLAGGING[statements]


def _alike_params(answers: Mapping[int, str]) -> dict[str, Any]:
    params: dict[str, Any] = {"least": len(answers) - 1}
    for n, (statement_id, answer) in enumerate(answers.items()):
        params[f"s{n}"], params[f"a{n}"] = statement_id, answer
    return params


def alike_today(session: Session, *, cycle_id: int, agency_id: int, today: date,
                answers: Mapping[int, str]) -> int:
    """How many of the link's responses of `today` (not set aside) gave the same answers as
    `answers` (statement id to answer) to every statement but at most one.

    Bounded by the link's rate limits and headcount, so the query stays small."""
    params = {"cycle_id": cycle_id, "agency_id": agency_id, "today": today} | _alike_params(answers)
    return int(session.connection().scalar(_alike_query(len(answers)), params) or 0)


def _insert_response(connection: Connection, row: dict[str, Any], *, burst: str | None,
                     answers: Mapping[int, str], alike_run: int | None) -> None:
    """Insert the response with the burst flag if there is one, else with an 'alike' flag once
    it makes `alike_run` near-identical responses to the link in a day."""
    if burst or not alike_run:
        plain = {key: value for key, value in row.items() if key != "today"}
        connection.execute(_INSERT_RESPONSE, plain | {"answered_on": row["today"], "flag": burst})
        return
    connection.execute(_insert_flagging(len(answers)), row | _alike_params(answers) | {
        "alike_run": alike_run, "alike_flag": f"alike {row['today'].isoformat()}"})


def record_response(
    session: Session, *, cycle_id: int, agency_id: int, statements: Sequence[StatementLike],
    answers: Mapping[str, str], role_band: str | None, service_band: str | None,
    today: date, flag: str | None = None, default_cap: int = 1000, alike_run: int | None = None,
) -> int:
    """Store a response: cycle, agency, optional bands, the day, a flag and one answer per
    statement; nothing else. ResponseInvalid when an answer is missing, SurveyFull at the cap.

    `flag` is the caller's burst flag; without one, a response that makes `alike_run`
    near-identical responses (all answers but one the same) to the link in a day is flagged
    'alike' for the manager to review. Flagging removes nothing: only a manager's set-aside does.
    """
    errors = _errors(statements, answers, role_band, service_band)
    if errors:
        raise ResponseInvalid(errors)
    take_place(session, cycle_id=cycle_id, agency_id=agency_id, default_cap=default_cap)
    response_id = secrets.randbits(ID_BITS) or 1
    connection = session.connection()
    _insert_response(connection, {
        "id": response_id, "cycle_id": cycle_id, "agency_id": agency_id,
        "role_band": role_band or None, "service_band": service_band or None, "today": today},
        burst=flag, answers={st.id: answers[st.code] for st in statements}, alike_run=alike_run)
    rows: dict[str, Any] = {"response_id": response_id}
    for n, st in enumerate(statements):
        rows[f"s{n}"], rows[f"a{n}"] = st.id, answers[st.code]
    connection.execute(_insert_answers(len(statements)), rows)
    return response_id
