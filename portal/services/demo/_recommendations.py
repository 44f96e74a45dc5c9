"""The demo's recommendations: what the 2025-26 audit decided, some of it already moving."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from portal.models import Cycle
from portal.services.recommendations import NewRecommendation, add_update, record_recommendation

RECOMMENDATIONS: tuple[tuple[str, list[str], str, str, date], ...] = (
    ("The Chair writes to all services asking what training their staff have on working with "
     "disabled children", ["11"], "chair", "Independent Chair", date(2026, 4, 30)),
    ("The Chair writes to all services about safer recruitment training for staff who recruit",
     ["6"], "chair", "Independent Chair", date(2026, 4, 30)),
    ("The Training Committee reviews the answers and reports to the Board", ["6", "11"],
     "committee", "Training Committee", date(2026, 9, 30)),
    ("The ICB gives evidence about GP practices' equality impact assessments", ["12"],
     "sector", "GP practices (through the ICB)", date(2026, 6, 30)),
    ("Develop a shorter, more relevant tool for the voluntary and community sector", [],
     "committee", "MESC", date(2027, 1, 29)),
)


def record_demo_recommendations(session: Session, cycle: Cycle) -> int:
    """Record the five recommendations, the first done and the third under way."""
    at = datetime.combine(date(2026, 3, 12), time(10))
    made = [record_recommendation(session, cycle, NewRecommendation(
        text=text, standards=standards, owner_kind=kind, owner_name=owner, due_on=due), now=at)
        for text, standards, kind, owner, due in RECOMMENDATIONS]
    add_update(session, made[0], status="done", note="Letters sent to all 228 agencies",
               on=date(2026, 4, 14), now=datetime(2026, 4, 14, 9))
    add_update(session, made[2], status="in_progress",
               note="First answers reviewed at the June meeting", on=date(2026, 6, 18),
               now=datetime(2026, 6, 18, 16))
    return len(made)
