"""A partnership whose weakest standards are known by construction (for the MESC report tests).

Nine cohort-A agencies on the full tool: Health H1-H3 and GP practices G1-G3 return; two voluntary
groups and a nursery do not (V1 is in progress with every answer inadequate: it must not count).
Every answer of a submitted return is "good" except:

  H1: 6.2 RI, 6.4 inadequate, 11.1 RI, 12.1 N/A,   12.2 RI
  H2: 6.2 RI, 6.4 inadequate, 11.1 RI, 12.1 no answer row
  H3: 6.2 RI, 6.4 inadequate,          12.1 answer row with a NULL grade (an imported blank)
  G1: 6.2 RI,                          12.1 N/A,   12.2 RI
  G2: 6.2 RI, 11.3 inadequate,         12.1 N/A
  G3: 6.2 RI, 4.3 RI,                  12.1 N/A

So question 12.1 is N/A for four agencies and blank for two. Two years earlier (2022-23, cohort A)
the same six returned all good except H1's 6.2 (RI). 2023-24 issued cohort B: only the three
carried-over non-returners, none returned. One completed moderation visit (H1) has four comparable
findings: 1 agreed, 2 under-scored, 1 over-inflated (plus one with no self grade); a visit to G1 is
still planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    DEFAULT_SECTORS,
    Agency,
    Answer,
    Cycle,
    CycleStatus,
    Finding,
    ModerationSample,
    Return,
    ReturnStatus,
    Standard,
    ToolVersion,
    User,
    Visit,
)
from portal.services.cycles import create_cycle, open_cycle
from portal.services.tools import questions_for_variant
from tests.support import factories

NO_ROW = "no-row"
GOOD, RI, INADEQUATE, NA = "good", "requires_improvement", "inadequate", "not_applicable"
CURRENT = "2024-25"
EARLIER = "2022-23"
DURING = datetime(2025, 2, 10, 9)  # before CURRENT's final deadline (28 February 2025)
AFTER = datetime(2025, 6, 2, 9)  # after it: the report is final

CURRENT_GRADES: dict[str, dict[str, str | None]] = {
    "H1": {"6.2": RI, "6.4": INADEQUATE, "11.1": RI, "12.1": NA, "12.2": RI},
    "H2": {"6.2": RI, "6.4": INADEQUATE, "11.1": RI, "12.1": NO_ROW},
    "H3": {"6.2": RI, "6.4": INADEQUATE, "12.1": None},
    "G1": {"6.2": RI, "12.1": NA, "12.2": RI},
    "G2": {"6.2": RI, "11.3": INADEQUATE, "12.1": NA},
    "G3": {"6.2": RI, "4.3": RI, "12.1": NA},
}
EARLIER_GRADES: dict[str, dict[str, str | None]] = {
    "H1": {"6.2": RI}, "H2": {}, "H3": {}, "G1": {}, "G2": {}, "G3": {},
}
SECTORS = {"H": "Health", "G": "GP practices", "V": "Voluntary and community", "E": "Early years"}


@dataclass
class Known:
    agencies: dict[str, Agency]
    returns: dict[str, Return]  # the current cycle's, by short name
    cycle: Cycle


def build(db: Session, tool: ToolVersion) -> Known:
    agencies = {short: factories.agency(db, f"{SECTORS[short[0]]} agency {short}",
                                        sector_name=SECTORS[short[0]])
                for short in ("H1", "H2", "H3", "G1", "G2", "G3", "V1", "V2", "E1")}
    earlier = _open(db, EARLIER, "A", date(2023, 1, 31))
    _grade_all(db, tool, earlier, agencies, EARLIER_GRADES)
    _open(db, "2023-24", "B", date(2024, 1, 31))
    current = _open(db, CURRENT, "A", date(2025, 1, 31))
    returns = _grade_all(db, tool, current, agencies, CURRENT_GRADES)
    v1 = _return(db, current, agencies["V1"])
    _answer(db, tool, v1, {}, default=INADEQUATE)
    v1.status = ReturnStatus.IN_PROGRESS.value
    _moderation(db, current, returns)
    db.commit()
    return Known(agencies, returns, current)


def add_small_sector(db: Session, tool: ToolVersion, known: Known) -> None:
    """Four "Sports and culture" agencies issued the current cycle, one of which returned
    (every answer good): too few graded answers to compare for the short standards."""
    for n in range(1, 5):
        agency = factories.agency(db, f"Sports club S{n}", sector_name="Sports and culture")
        return_ = Return(cycle_id=known.cycle.id, agency_id=agency.id, variant="full")
        db.add(return_)
        db.flush()
        if n == 1:
            _answer(db, tool, return_, {})
            return_.status = ReturnStatus.SUBMITTED.value
    db.commit()


def add_every_sector(db: Session, tool: ToolVersion, known: Known,
                     names: tuple[str, ...] = ()) -> None:
    """One agency in each sector named (default: every default sector without a return yet),
    issued the current cycle and returned (every answer good): the grid gets a column per
    sector, as wide as a real partnership's, each too few to compare (one agency)."""
    for name in names or [s for s in DEFAULT_SECTORS if s not in ("Health", "GP practices")]:
        agency = factories.agency(db, f"{name} agency", sector_name=name)
        return_ = Return(cycle_id=known.cycle.id, agency_id=agency.id, variant="full")
        db.add(return_)
        db.flush()
        _answer(db, tool, return_, {})
        return_.status = ReturnStatus.SUBMITTED.value
    db.commit()


def _open(db: Session, label: str, cohort: str, deadline: date) -> Cycle:
    now = datetime(deadline.year - 1, 11, 1, 9)
    cycle = create_cycle(db, label=label, cohort=cohort, deadline=deadline, now=now)
    for earlier in db.scalars(select(Cycle).where(Cycle.cohort == cohort,
                                                  Cycle.status == CycleStatus.OPEN.value)):
        earlier.status = CycleStatus.CLOSED.value  # one open cycle per cohort
    open_cycle(db, cycle, now=now, links=None)
    return cycle


def _return(db: Session, cycle: Cycle, agency: Agency) -> Return:
    found = db.scalar(select(Return).where(Return.cycle_id == cycle.id,
                                           Return.agency_id == agency.id))
    assert found is not None
    return found


def _grade_all(db: Session, tool: ToolVersion, cycle: Cycle, agencies: dict[str, Agency],
               grades: dict[str, dict[str, str | None]]) -> dict[str, Return]:
    returns = {}
    for short, overrides in grades.items():
        return_ = _return(db, cycle, agencies[short])
        _answer(db, tool, return_, overrides)
        return_.status = ReturnStatus.SUBMITTED.value
        return_.submitted_at = datetime(cycle.deadline.year, 1, 10, 12)
        returns[short] = return_
    db.flush()
    return returns


def _answer(db: Session, tool: ToolVersion, return_: Return,
            overrides: dict[str, str | None], default: str = GOOD) -> None:
    for question in questions_for_variant(tool, return_.variant):
        grade = overrides.get(question.code, default)
        if grade != NO_ROW:
            db.add(Answer(return_id=return_.id, question_id=question.id, grade=grade))
    db.flush()


def _moderation(db: Session, cycle: Cycle, returns: dict[str, Return]) -> None:
    manager = factories.user(db)
    sample = ModerationSample(cycle_id=cycle.id, rate=0.1, seed=7,
                              population=[r.id for r in returns.values()],
                              chosen=[returns["H1"].id, returns["G1"].id])
    db.add(sample)
    db.flush()
    done = _visit(db, sample, returns["H1"], manager, "completed")
    _visit(db, sample, returns["G1"], manager, "planned")
    standards = {s.code: s.id for s in db.scalars(
        select(Standard).where(Standard.tool_version_id == cycle.tool_version_id))}
    for code, self_grade, moderated in [("6", GOOD, RI), ("1", GOOD, "outstanding"),
                                        ("2", GOOD, "outstanding"), ("3", GOOD, GOOD),
                                        ("5", None, GOOD)]:
        db.add(Finding(visit_id=done.id, standard_id=standards[code], self_grade=self_grade,
                       moderated_grade=moderated))
    db.flush()


def _visit(db: Session, sample: ModerationSample, return_: Return, manager: User,
           status: str) -> Visit:
    visit = Visit(sample_id=sample.id, return_id=return_.id, status=status,
                  manager_id=manager.id, ics_uid=f"visit-{return_.id}@portal.test")
    db.add(visit)
    db.flush()
    return visit
