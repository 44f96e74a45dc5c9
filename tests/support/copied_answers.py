"""A return that starts from last cycle's answers: an agency with a 2025-26 return answered in
full and a 2026-27 return issued, for the tests of copied answers (issue 27, item 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.models import Agency, Return, ReturnStatus, Role, User
from portal.services.returns import AnswerInput, StandardInput, standard_parts, write_standard
from tests.support import factories
from tests.support.returns_helpers import OPENED, issue, return_of

PREVIOUS = "2025-26"
COPIED_AT = datetime(2026, 11, 3, 10, 0)  # the day after the 2026-27 cycle opened


@dataclass(frozen=True)
class Copying:
    agency: Agency
    user: User
    current: Return


def answered_last_cycle(db: Session, *, variant: str, name: str,
                        sector: str = "Voluntary and community",
                        email: str | None = None) -> Copying:
    """An agency (and its user) that submitted 2025-26 with every question graded good and
    evidence for every standard, and has its 2026-27 return open, not started."""
    agency = factories.agency(db, name, sector_name=sector, variant=variant, email=email)
    user = factories.user(db, Role.AGENCY, agency=agency, email=email)
    past = issue(db, label=PREVIOUS, deadline=date(2026, 1, 30))
    old = return_of(db, agency, past)
    for part in standard_parts(db, old):
        write_standard(db, old, part, StandardInput(
            [AnswerInput(q.code, "good") for q in part.questions],
            f"Evidence for standard {part.standard.code} in {PREVIOUS}"),
            user_id=None, now=OPENED.replace(year=2025))
    old.status = ReturnStatus.SUBMITTED.value
    current = return_of(db, agency, issue(db))
    db.flush()
    return Copying(agency, user, current)
