"""A closed cycle's MESC report as published: stored at close, republished deliberately.

Each version keeps the JSON the report's data renders to (`sector_report` + `render_json`, for
all sectors: the published JSON download) and the report data itself, for all sectors and for
each sector (`snapshot`). Every format and sector of a closed cycle's report reads that back
instead of recounting, so a reopened return changes nothing until a republish."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, PublishedReport
from portal.reports import snapshot
from portal.reports.sector_data import SectorReport, sector_report, sector_reports
from portal.reports.sector_exports import render_json
from portal.services import cycles, publishing, register
from portal.services.common import NotFound
from portal.services.cycles import CloseResult
from portal.services.survey import SurveySettings

ALL_SECTORS = ""  # the key of the all-sectors report among a version's stored figures


def current_json(session: Session, cycle: Cycle) -> str:
    """The report's JSON as the figures stand now."""
    return render_json(sector_report(session, cycle_label=cycle.label)).decode()


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
    content, figures = _figures(session, cycle, survey_settings)
    return publishing.publish(session, cycle, content=content, now=now, user_id=user_id,
                              reason=reason, figures=figures)


def report_for(session: Session, cycle: Cycle, sector: str | None = None,
               version: int | None = None, *, now: datetime | None = None,
               survey_settings: SurveySettings | None = None) -> SectorReport:
    """The report to show: a closed cycle's as published (the latest version, or `version`),
    any other cycle's as it stands at `now`."""
    shown = shown_version(session, cycle, version)
    if shown is not None:
        stored = publishing.stored_figures(session, shown, sector or ALL_SECTORS)
        if stored is None:
            raise NotFound(f"Version {shown.version} of the {cycle.label} report has no "
                           f"figures for {sector}")
        return snapshot.loads(stored, SectorReport)
    return sector_report(session, cycle_label=cycle.label, sector=sector, now=now,
                         survey_settings=survey_settings)


def shown_version(session: Session, cycle: Cycle,
                  version: int | None = None) -> PublishedReport | None:
    """The published version whose figures a closed cycle's report shows; None when the report
    is counted live (a cycle not closed, or a version published before figures were kept)."""
    if cycle.status != CycleStatus.CLOSED.value:
        return None
    found = (publishing.published_version(session, cycle, version) if version is not None
             else publishing.latest_published(session, cycle))
    if found is None or not publishing.has_figures(session, found):
        return None
    return found


def unpublished_changes(session: Session, cycle: Cycle) -> list[str]:
    """What differs between the published report and the figures now (empty when none)."""
    published = publishing.latest_published(session, cycle)
    if published is None:
        return []
    return publishing.describe_changes(published.content, current_json(session, cycle))


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
    return render_json(reports[None]).decode(), figures
