"""Recording one practitioner's anonymous response, within the link's declared headcount."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Date, Table, TextClause, bindparam, func, insert, text, update
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


def _alike_query(statements: int) -> TextClause:
    """Count the link's responses of a day, not set aside, that match at least `:least` of
    `statements` (statement, answer) pairs; one text per number of statements, kept."""
    if statements not in _ALIKE:
        matches = " ".join(f"WHEN a.statement_id = :s{n} AND a.answer = :a{n} THEN 1"
                           for n in range(statements))
        # the only text put in is `matches`, built from integers; every value is a bound parameter
        _ALIKE[statements] = text(
            "SELECT count(*) FROM (SELECT r.id FROM survey_responses r"  # nosec B608
            " JOIN survey_answers a ON a.response_id = r.id"
            " WHERE r.cycle_id = :cycle_id AND r.agency_id = :agency_id"
            " AND r.answered_on = :today AND r.set_aside IS NULL"
            f" GROUP BY r.id HAVING sum(CASE {matches} ELSE 0 END) >= :least) alike"
        ).bindparams(bindparam("today", type_=Date()))
    return _ALIKE[statements]


def alike_today(session: Session, *, cycle_id: int, agency_id: int, today: date,
                answers: Mapping[int, str]) -> int:
    """How many of the link's responses of `today` (not set aside) gave the same answers as
    `answers` (statement id to answer) to every statement but at most one.

    Bounded by the link's rate limits and headcount, so the query stays small."""
    params: dict[str, Any] = {"cycle_id": cycle_id, "agency_id": agency_id, "today": today,
                              "least": len(answers) - 1}
    for n, (statement_id, answer) in enumerate(answers.items()):
        params[f"s{n}"], params[f"a{n}"] = statement_id, answer
    return int(session.connection().scalar(_alike_query(len(answers)), params) or 0)


def _flag(session: Session, *, cycle_id: int, agency_id: int, today: date, burst: str | None,
          answers: Mapping[int, str], alike_run: int | None) -> str | None:
    """The burst flag if there is one, else an 'alike' flag once this response would make
    `alike_run` near-identical responses to the link in a day."""
    if burst or not alike_run:
        return burst
    before = alike_today(session, cycle_id=cycle_id, agency_id=agency_id, today=today,
                         answers=answers)
    return f"alike {today.isoformat()}" if before + 1 >= alike_run else None


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
    flag = _flag(session, cycle_id=cycle_id, agency_id=agency_id, today=today, burst=flag,
                 answers={st.id: answers[st.code] for st in statements}, alike_run=alike_run)
    response_id = secrets.randbits(ID_BITS) or 1
    connection = session.connection()
    connection.execute(_INSERT_RESPONSE, {
        "id": response_id, "cycle_id": cycle_id, "agency_id": agency_id,
        "role_band": role_band or None, "service_band": service_band or None,
        "answered_on": today, "flag": flag})
    rows: dict[str, Any] = {"response_id": response_id}
    for n, st in enumerate(statements):
        rows[f"s{n}"], rows[f"a{n}"] = st.id, answers[st.code]
    connection.execute(_insert_answers(len(statements)), rows)
    return response_id
