"""`flask demo generate`: a synthetic partnership at national scale, bulk-inserted.

Agencies are spread over the sectors in the demo's proportions and split into cohorts A and B. Each
cycle issues one cohort plus the previous cycle's non-returners (as `flask cycles open` would), and
is closed: returns are submitted with the sector's return rate, with a realistic grade mix (weaker
standards, N/A-prone questions, a few blanks) and an evidence text per standard. Rows go in with
set-based INSERTs of a few thousand rows each, never one ORM object at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Answer,
    Contact,
    Cycle,
    CycleStatus,
    Escalation,
    Evidence,
    Grade,
    Question,
    Return,
    ReturnStatus,
    Sector,
    Standard,
    ToolVersion,
)
from portal.services import tools
from portal.services.common import ServiceError, bulk_insert, insert_returning_ids

from ._loading import NA_PRONE, SECTOR_MIX, WEAK_STANDARDS

BLANK_SHARE = 0.02
GOOD_GRADES = (Grade.OUTSTANDING.value, Grade.GOOD.value)
WEAK_GRADES = (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value)


@dataclass(frozen=True)
class GeneratedCycle:
    label: str
    issued: int
    submitted: int
    answers: int


@dataclass(frozen=True)
class _Agency:
    id: int
    sector: str
    cohort: str
    variant: str


def generate_partnership(session: Session, *, agencies: int, cycles: int, seed: int,
                         now: datetime) -> list[GeneratedCycle]:
    """Create `agencies` agencies and `cycles` closed cycles (oldest first) in an empty database."""
    if agencies < 2 or cycles < 1:
        raise ServiceError("Generate at least 2 agencies and 1 cycle")
    if session.scalar(select(Agency.id).limit(1)) is not None:
        raise ServiceError("The database already has agencies; generate into an empty one")
    rng = random.Random(seed)  # nosec B311: synthetic benchmark data, reproducible by its seed
    tool = tools.get_tool(session) if tools.latest_tool(session) else _load_tool(session)
    made = _insert_agencies(session, agencies, rng)
    questions = _questions_by_variant(session, tool)
    standards = {s.code: s.id for s in tool.standards}
    first_year = now.year - cycles
    missed: set[int] = set()
    out = []
    for n in range(cycles):
        year = first_year + n
        label = f"{year}-{(year + 1) % 100:02d}"
        result, missed = _cycle(session, tool, label, "AB"[n % 2], year, made, missed, questions,
                                standards, rng)
        out.append(result)
    return out


def _load_tool(session: Session) -> ToolVersion:
    tools.load_tool(session)
    return tools.get_tool(session)


def _insert_agencies(session: Session, count: int, rng: random.Random) -> list[_Agency]:
    sectors = {s.name: s.id for s in session.scalars(select(Sector))}
    total = sum(n for n, _, _ in SECTOR_MIX.values())
    rows: list[dict[str, Any]] = []
    made: list[tuple[str, str, str]] = []  # sector, cohort, variant
    weights = {name: n / total for name, (n, _, _) in SECTOR_MIX.items()}
    for index in range(count):
        sector = _weighted(rng, weights)
        variant = ("schools" if sector == "Schools and colleges"
                   else "short" if sector == "Voluntary and community" and rng.random() < 0.7
                   else "full")
        cohort = "AB"[index % 2]
        rows.append({"name": f"{sector} agency {index + 1:05d}", "sector_id": sectors[sector],
                     "cohort": cohort, "variant": variant})
        made.append((sector, cohort, variant))
    ids = insert_returning_ids(session, Agency, rows)
    bulk_insert(session, Contact, ({"agency_id": agency_id, "name": "Safeguarding Lead",
                              "email": f"dsl{agency_id}@generated.example.org", "is_primary": True}
                             for agency_id in ids))
    return [_Agency(agency_id, *details) for agency_id, details in zip(ids, made, strict=True)]


def _questions_by_variant(session: Session, tool: ToolVersion) -> dict[str, list[tuple[int, str, str]]]:
    """variant -> [(question id, question code, standard code)]."""
    rows = session.execute(
        select(Question.id, Question.code, Standard.code, Question.in_full, Question.in_schools,
               Question.in_short)
        .join(Standard, Standard.id == Question.standard_id)
        .where(Question.tool_version_id == tool.id).order_by(Standard.position, Question.position))
    out: dict[str, list[tuple[int, str, str]]] = {"full": [], "schools": [], "short": []}
    for qid, code, standard, full, schools, short in rows:
        for variant, on in (("full", full), ("schools", schools), ("short", short)):
            if on:
                out[variant].append((qid, code, standard))
    return out


def _cycle(session: Session, tool: ToolVersion, label: str, cohort: str, year: int,
           agencies: list[_Agency], missed: set[int], questions: dict[str, list[tuple[int, str, str]]],
           standards: dict[str, int], rng: random.Random) -> tuple[GeneratedCycle, set[int]]:
    deadline = date(year + 1, 1, 31)
    final = deadline + timedelta(days=28)
    opened = datetime(year, 11, 1, 9)
    closed = datetime(final.year, final.month, final.day, 18) + timedelta(days=1)
    cycle = Cycle(label=label, cohort=cohort, deadline=deadline, final_deadline=final,
                  tool_version_id=tool.id, status=CycleStatus.CLOSED.value, created_at=opened,
                  opened_at=opened, closed_at=closed)
    session.add(cycle)
    session.flush()
    issued = [a for a in agencies if a.cohort == cohort or a.id in missed]
    returned = {a.id for a in issued if rng.random() < SECTOR_MIX[a.sector][2]}
    rows = [_return_row(cycle.id, a, a.id in returned, a.id in missed, opened, deadline, rng)
            for a in issued]
    return_ids = insert_returning_ids(session, Return, rows)
    by_agency = dict(zip((a.id for a in issued), return_ids, strict=True))
    answers = _answers(session, issued, returned, by_agency, questions, rng, closed)
    _evidence(session, issued, returned, by_agency, questions, standards, closed)
    _escalations(session, cycle, issued, returned, missed, by_agency, closed)
    return (GeneratedCycle(label, len(issued), len(returned), answers),
            {a.id for a in issued if a.id not in returned})


def _return_row(cycle_id: int, agency: _Agency, submitted: bool, carried: bool, opened: datetime,
                deadline: date, rng: random.Random) -> dict[str, Any]:
    when = datetime(deadline.year, deadline.month, deadline.day, 12) - timedelta(
        days=rng.randint(-10, 40)) if submitted else None
    return {"cycle_id": cycle_id, "agency_id": agency.id, "variant": agency.variant,
            "status": ReturnStatus.SUBMITTED.value if submitted else ReturnStatus.NOT_STARTED.value,
            "carried_over": carried, "version": 2 if submitted else 1, "issued_at": opened,
            "submitted_at": when, "last_activity_at": when,
            "declaration_name": "Safeguarding Lead" if submitted else None,
            "declaration_role": "Designated safeguarding lead" if submitted else None}


def _answers(session: Session, issued: list[_Agency], returned: set[int], by_agency: dict[int, int],
             questions: dict[str, list[tuple[int, str, str]]], rng: random.Random,
             when: datetime) -> int:
    def rows() -> Iterator[dict[str, Any]]:
        for agency in issued:
            if agency.id not in returned:
                continue
            for qid, code, standard in questions[agency.variant]:
                grade, reason = _grade(rng, code, standard, agency.sector)
                yield {"return_id": by_agency[agency.id], "question_id": qid, "grade": grade,
                       "na_reason": reason, "updated_at": when}
    return bulk_insert(session, Answer, rows())


def _grade(rng: random.Random, code: str, standard: str, sector: str) -> tuple[str | None, str | None]:
    if rng.random() < BLANK_SHARE:
        return None, None
    if sector in NA_PRONE.get(code, ()) and rng.random() < 0.5:
        return Grade.NOT_APPLICABLE.value, "Not relevant to a setting of our kind"
    if rng.random() < WEAK_STANDARDS.get(standard, 0.06):
        return rng.choice(WEAK_GRADES), None
    return rng.choices(GOOD_GRADES, weights=(1, 3))[0], None


def _evidence(session: Session, issued: list[_Agency], returned: set[int], by_agency: dict[int, int],
              questions: dict[str, list[tuple[int, str, str]]], standards: dict[str, int],
              when: datetime) -> None:
    per_variant = {v: sorted({s for _, _, s in qs}, key=lambda c: int(c) if c.isdigit() else 0)
                   for v, qs in questions.items()}
    bulk_insert(session, Evidence, (
        {"return_id": by_agency[a.id], "standard_id": standards[code], "updated_at": when,
         "text": f"Policy reviewed annually; training records and audit of standard {code} kept."}
        for a in issued if a.id in returned for code in per_variant[a.variant]))


def _escalations(session: Session, cycle: Cycle, issued: list[_Agency], returned: set[int],
                 missed: set[int], by_agency: dict[int, int], closed: datetime) -> None:
    bulk_insert(session, Escalation, (
        {"cycle_id": cycle.id, "return_id": by_agency[a.id], "agency_id": a.id, "created_at": closed,
         "chair_meeting_required": a.id in missed}
        for a in issued if a.id not in returned))


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
