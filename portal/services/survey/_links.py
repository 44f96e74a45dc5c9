"""Survey links: one unguessable link per issued agency and cycle, open while the cycle is open."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Cycle,
    CycleStatus,
    Return,
    ReturnStatus,
    SurveyLink,
    SurveyStatement,
    ToolVersion,
)
from portal.services.common import NotFound
from portal.services.cycles import issue_survey_links


def ensure_links(session: Session, cycle: Cycle, *, now: datetime) -> int:
    """Give every issued agency without one a link (set-based); how many links the cycle has."""
    return len(issue_survey_links(session, cycle, now=now))


def link_rows(session: Session, cycle: Cycle, *, now: datetime) -> list[tuple[str, str]]:
    """(agency name, token) for every issued agency, by agency name."""
    ensure_links(session, cycle, now=now)
    rows = session.execute(
        select(Agency.name, SurveyLink.token).join(Agency, Agency.id == SurveyLink.agency_id)
        .where(SurveyLink.cycle_id == cycle.id).order_by(Agency.name)
    )
    return [(name, token) for name, token in rows]


SHORT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read and type


def short_code(session: Session, token: str) -> str:
    """The link's short code to type from the poster (K7MQ-4TXP, 40 bits), made on first need."""
    link = session.scalar(select(SurveyLink).where(SurveyLink.token == token))
    if link is None:
        raise NotFound("No such survey")
    if link.short_code is None:
        letters = "".join(secrets.choice(SHORT_ALPHABET) for _ in range(8))
        link.short_code = f"{letters[:4]}-{letters[4:]}"
        session.flush()
    return link.short_code


def token_of_short_code(session: Session, code: str) -> str:
    """The link a typed short code names (any case, with or without its dash), or NotFound."""
    clean = "".join(c for c in code.upper() if c.isalnum())
    token = session.scalar(select(SurveyLink.token)
                           .where(SurveyLink.short_code == f"{clean[:4]}-{clean[4:]}"))
    if token is None or len(clean) != 8:
        raise NotFound("No such survey")
    return token


def agency_link(session: Session, cycle: Cycle, agency_id: int, *, now: datetime) -> str | None:
    """The agency's token in the cycle (made on first need), or None when there is no survey."""
    ensure_links(session, cycle, now=now)
    return session.scalar(select(SurveyLink.token).where(SurveyLink.cycle_id == cycle.id,
                                                         SurveyLink.agency_id == agency_id))


@dataclass(frozen=True)
class StatementRef:
    id: int
    code: str
    text: str


@dataclass(frozen=True)
class OpenSurvey:
    """What the survey page needs behind a link, read as plain columns (it is the busiest page)."""

    cycle_id: int
    cycle_label: str
    agency_id: int
    agency_name: str
    statements: tuple[StatementRef, ...]


# Tool versions never change once loaded, so their statements can be kept for the process's
# life; keyed by id and load time too, so a database rebuilt with reused ids is never confused.
_STATEMENTS: dict[tuple[int, datetime], tuple[StatementRef, ...]] = {}


# Built once: every survey page and post runs it.
_OPEN_SURVEY = (
    select(Cycle.id, Cycle.label, Cycle.status, Cycle.tool_version_id, ToolVersion.loaded_at,
           Agency.id, Agency.name)
    .join(SurveyLink, SurveyLink.cycle_id == Cycle.id)
    .join(ToolVersion, ToolVersion.id == Cycle.tool_version_id)
    .join(Agency, Agency.id == SurveyLink.agency_id).where(SurveyLink.token == bindparam("link_token"))
)


def open_survey(session: Session, token: str) -> OpenSurvey:
    """The cycle, agency and statements behind a link; NotFound when the link is unknown,
    SurveyClosed when its cycle is no longer open (survey links close with the cycle)."""
    row = session.connection().execute(_OPEN_SURVEY, {"link_token": token}).first()
    if row is None:
        raise NotFound("No such survey")
    cycle_id, label, status, tool_version_id, loaded_at, agency_id, agency_name = row
    if status != CycleStatus.OPEN.value:
        raise SurveyClosed(f"The {label} survey has closed")
    key = (tool_version_id, loaded_at)
    if key not in _STATEMENTS:
        _STATEMENTS[key] = tuple(
            StatementRef(st.id, st.code, st.text) for st in statements_of(session, tool_version_id))
    return OpenSurvey(cycle_id, label, agency_id, agency_name, _STATEMENTS[key])


def statements_of(session: Session, tool_version_id: int) -> list[SurveyStatement]:
    return list(session.scalars(
        select(SurveyStatement).where(SurveyStatement.tool_version_id == tool_version_id)
        .order_by(SurveyStatement.position)
    ))


class SurveyClosed(NotFound):
    """The link is real but its cycle has closed."""


def agency_surveys(session: Session, agency_id: int) -> list[Cycle]:
    """The opened cycles that issued this agency a tool with a survey, newest first."""
    return list(session.scalars(
        select(Cycle).join(Return, Return.cycle_id == Cycle.id)
        .where(Return.agency_id == agency_id, Cycle.status != CycleStatus.DRAFT.value,
               select(SurveyStatement.id)
               .where(SurveyStatement.tool_version_id == Cycle.tool_version_id).exists())
        .order_by(Cycle.deadline.desc())
    ))


def agency_submitted(session: Session, cycle: Cycle, agency_id: int) -> bool:
    """Whether the agency has submitted its return in the cycle (its results show after that)."""
    return session.scalar(
        select(Return.id).where(Return.cycle_id == cycle.id, Return.agency_id == agency_id,
                                Return.status == ReturnStatus.SUBMITTED.value)
    ) is not None


def issued_cycle(session: Session, cycle_id: int, agency_id: int) -> Cycle:
    """A cycle with a survey that issued this agency a return, or NotFound."""
    found = next((c for c in agency_surveys(session, agency_id) if c.id == cycle_id), None)
    if found is None:
        raise NotFound("No such survey")
    return found


def survey_cycles(session: Session) -> list[Cycle]:
    """Opened cycles whose tool carries a survey, newest first."""
    return list(session.scalars(
        select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value,
                            select(SurveyStatement.id)
                            .where(SurveyStatement.tool_version_id == Cycle.tool_version_id)
                            .exists())
        .order_by(Cycle.deadline.desc())
    ))
