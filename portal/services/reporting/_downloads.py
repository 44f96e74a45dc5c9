"""The report a person or a command asks for: one lookup, for the web's downloads and the CLI.

A cycle's report exists once the cycle has opened: a draft cycle has none, whoever asks. A closed
cycle's report is the one published (the latest version, or the version asked for); its
all-sectors JSON is the text exactly as stored. Any other cycle's report is counted now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, PublishedReport
from portal.services import cycles, publishing
from portal.services.common import NotFound
from portal.services.survey import SurveySettings

from ._changes import changes_since_publication
from ._published import report_for, shown_version, unpublished_changes
from ._sector_data import SectorReport

REPORT_FORMATS = ("pdf", "csv", "json", "xlsx")  # portal.reports renders each


def report_cycle(session: Session, label: str) -> Cycle:
    """The cycle whose report is asked for; a draft cycle has no report yet."""
    cycle = cycles.get_cycle(session, label)
    if cycle.status == CycleStatus.DRAFT.value:
        raise NotFound(f"Cycle {label} has not opened yet: it has no report")
    return cycle


def cycle_report(session: Session, label: str, sector: str | None = None,
                 version: int | None = None, *, now: datetime,
                 survey_settings: SurveySettings | None = None) -> SectorReport:
    """The report of cycle `label`, one sector's or all: a closed cycle's as published
    (`version`, or the latest), any other's as it stands at `now`; refused for a draft cycle."""
    return report_for(session, report_cycle(session, label), sector, version, now=now,
                      survey_settings=survey_settings)


@dataclass(frozen=True)
class ReportDownload:
    """A report to render: its data, the published version it is (None: counted now), and for
    a closed cycle's all-sectors JSON the text exactly as published."""

    report: SectorReport
    version: int | None = None
    published_json: str | None = None


def report_download(session: Session, label: str, fmt: str, *, sector: str | None = None,
                    version: int | None = None, now: datetime,
                    survey_settings: SurveySettings | None = None) -> ReportDownload:
    """The report of cycle `label` (one sector's, or all), in format `fmt`, as published when
    the cycle is closed (`version`, or the latest); refused for a draft cycle."""
    if fmt not in REPORT_FORMATS:
        raise NotFound(f"There is no {fmt} download of the report: choose one of "
                       f"{', '.join(REPORT_FORMATS)}")
    cycle = report_cycle(session, label)
    report = report_for(session, cycle, sector, version, now=now,
                        survey_settings=survey_settings)
    stored = _published_json(session, cycle, version) if fmt == "json" and not sector else None
    if stored is not None:
        return ReportDownload(report, version, stored.content)
    shown = shown_version(session, cycle, version) if version is not None else None
    return ReportDownload(report, shown.version if shown else None)


def _published_json(session: Session, cycle: Cycle, version: int | None) -> PublishedReport | None:
    if cycle.status != CycleStatus.CLOSED.value:
        return None
    if version is not None:
        return publishing.published_version(session, cycle, version)
    return publishing.latest_published(session, cycle)


def stored_version(session: Session, label: str, version: int) -> PublishedReport:
    """One published version of a cycle's report, exactly as it was stored."""
    return publishing.published_version(session, report_cycle(session, label), version)


@dataclass(frozen=True)
class Publication:
    """A closed cycle's published versions, the one shown, and what changed since the latest
    (all empty for a cycle not closed)."""

    versions: list[PublishedReport] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    shown: PublishedReport | None = None


def publication(session: Session, label: str, version: int | None = None, *,
                recount: bool = False) -> Publication:
    """A closed cycle's versions and what changed since the latest: kept per data state for a
    view, counted afresh when `recount` (a deliberate action, such as the republish page)."""
    cycle = report_cycle(session, label)
    if cycle.status != CycleStatus.CLOSED.value:
        return Publication()
    versions = publishing.published_versions(session, cycle)
    latest = versions[0] if versions else None
    changes = (unpublished_changes(session, cycle) if recount
               else changes_since_publication(session, cycle, latest))
    return Publication(versions, changes, shown_version(session, cycle, version))
