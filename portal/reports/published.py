"""A closed cycle's MESC report as published: stored at close, republished deliberately.

The stored version is the JSON the report's data renders to (`sector_report` + `render_json`),
for all sectors; reports of a closed cycle read it back instead of recounting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Cycle, PublishedReport
from portal.reports.sector_data import sector_report
from portal.reports.sector_exports import render_json
from portal.services import cycles, publishing
from portal.services.cycles import CloseResult


def current_json(session: Session, cycle: Cycle) -> str:
    """The report's JSON as the figures stand now."""
    return render_json(sector_report(session, cycle_label=cycle.label)).decode()


def close_and_publish(session: Session, cycle: Cycle, *, now: datetime,
                      user_id: int | None = None) -> CloseResult:
    """Close the cycle and store its report as published (version 1), in one transaction."""
    result = cycles.close_cycle(session, cycle, now=now, user_id=user_id)
    publishing.publish(session, cycle, content=current_json(session, cycle), now=now,
                       user_id=user_id)
    return result


def republish(session: Session, cycle: Cycle, *, reason: str, now: datetime,
              user_id: int | None = None) -> PublishedReport:
    """Publish the figures as they stand now as a new version, keeping the earlier ones."""
    return publishing.publish(session, cycle, content=current_json(session, cycle), now=now,
                              user_id=user_id, reason=reason)


def unpublished_changes(session: Session, cycle: Cycle) -> list[str]:
    """What differs between the published report and the figures now (empty when none)."""
    published = publishing.latest_published(session, cycle)
    if published is None:
        return []
    return publishing.describe_changes(published.content, current_json(session, cycle))


def publish_unpublished(session: Session) -> int:
    """Publish every closed cycle that has no published report yet (history loaded by the demo
    or imported); each is dated when its cycle closed. Returns how many were published."""
    count = 0
    for cycle in cycles.opened_cycles(session):
        if cycle.closed_at is not None and publishing.latest_published(session, cycle) is None:
            publishing.publish(session, cycle, content=current_json(session, cycle),
                               now=cycle.closed_at)
            count += 1
    return count
