"""Closing a cycle and publishing its report: version 1 at close, later versions deliberately.

Each version stores the report's JSON and the report data itself, for all sectors and for each
sector (see _published.py), in the same transaction as the change that calls for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Cycle, PublishedReport
from portal.services import cycles, publishing, register
from portal.services.common import check_texts, text_problems
from portal.services.cycles import CloseResult
from portal.services.survey import SurveySettings

from . import _snapshot as snapshot
from ._published import ALL_SECTORS
from ._report_json import report_json
from ._sector_data import sector_reports


def close_and_publish(session: Session, cycle: Cycle, *, now: datetime,
                      user_id: int | None = None,
                      survey_settings: SurveySettings | None = None) -> CloseResult:
    """Close the cycle and store its report as published (version 1), in one transaction."""
    result = cycles.close_cycle(session, cycle, now=now, user_id=user_id)
    content, figures = _figures(session, cycle, survey_settings)
    publishing.publish(session, cycle, content=content, now=now, user_id=user_id,
                       figures=figures)
    return result


def republish(session: Session, cycle: Cycle, *, reason: str, now: datetime,
              user_id: int | None = None,
              survey_settings: SurveySettings | None = None) -> PublishedReport:
    """Publish the figures as they stand now as a new version, keeping the earlier ones."""
    check_texts(text_problems("reason", reason, label="The reason", limit=2000))
    content, figures = _figures(session, cycle, survey_settings)
    return publishing.publish(session, cycle, content=content, now=now, user_id=user_id,
                              reason=reason, figures=figures)


def publish_unpublished(session: Session) -> int:
    """Publish every closed cycle that has no published report yet (history loaded by the demo
    or imported); each is dated when its cycle closed. A latest version published before its
    figures were kept gets them when they still stand (its JSON is the figures now).
    Returns how many versions were published or filled in."""
    count = 0
    for cycle in cycles.opened_cycles(session):
        if cycle.closed_at is None:
            continue
        latest = publishing.latest_published(session, cycle)
        if latest is None:
            content, figures = _figures(session, cycle, None)
            publishing.publish(session, cycle, content=content, now=cycle.closed_at,
                               figures=figures)
            count += 1
        elif not publishing.has_figures(session, latest):
            content, figures = _figures(session, cycle, None)
            if content == latest.content:
                publishing.store_figures(session, latest, figures)
                count += 1
    return count


def _figures(session: Session, cycle: Cycle,
             survey_settings: SurveySettings | None) -> tuple[str, dict[str, str]]:
    """The published JSON and the stored report data: all sectors, then each sector."""
    reports = sector_reports(session, cycle_label=cycle.label,
                             sectors=[s.name for s in register.sectors(session)],
                             survey_settings=survey_settings)
    figures = {name or ALL_SECTORS: snapshot.dumps(report) for name, report in reports.items()}
    return report_json(reports[None]), figures
