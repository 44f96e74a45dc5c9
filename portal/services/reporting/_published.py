"""A closed cycle's MESC report as published: stored at close, republished deliberately
(_closing.py), and read back here.

Each version keeps the JSON the report's data renders to (`sector_report` + `report_json`, for
all sectors: the published JSON download) and the report data itself, for all sectors and for
each sector (`snapshot`). Every format and sector of a closed cycle's report reads that back
instead of recounting, so a reopened return changes nothing until a republish."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from hashlib import blake2b

from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, PublishedReport
from portal.services import publishing
from portal.services.common import NotFound
from portal.services.survey import SurveySettings

from . import _snapshot as snapshot
from ._report_json import report_json
from ._sector_data import SectorReport, sector_report

ALL_SECTORS = ""  # the key of the all-sectors report among a version's stored figures
_DECODED_KEPT = 8  # decoded published reports kept per process (a sector's or all sectors')
_decoded: OrderedDict[tuple[object, ...], SectorReport] = OrderedDict()


def current_json(session: Session, cycle: Cycle) -> str:
    """The report's JSON as the figures stand now."""
    return report_json(sector_report(session, cycle_label=cycle.label))


def report_for(session: Session, cycle: Cycle, sector: str | None = None,
               version: int | None = None, *, now: datetime | None = None,
               survey_settings: SurveySettings | None = None) -> SectorReport:
    """The report to show: a closed cycle's as published (the latest version, or `version`),
    any other cycle's as it stands at `now`."""
    shown = shown_version(session, cycle, version)
    if shown is not None:
        return _published_figures(session, cycle, shown, sector or ALL_SECTORS)
    return sector_report(session, cycle_label=cycle.label, sector=sector, now=now,
                         survey_settings=survey_settings)


def _published_figures(session: Session, cycle: Cycle, shown: PublishedReport,
                       sector: str) -> SectorReport:
    """A published version's figures for a sector, decoded once per process: a version's figures
    never change once stored, so later views neither read nor decode them again. The key holds
    the database, the version's row and a digest of its published JSON. Callers only read it."""
    key = (str(session.get_bind().engine.url), shown.id, shown.version, sector,
           blake2b(shown.content.encode(), digest_size=16).digest())
    if key in _decoded:
        _decoded.move_to_end(key)
        return _decoded[key]
    stored = publishing.stored_figures(session, shown, sector)
    if stored is None:
        raise NotFound(f"Version {shown.version} of the {cycle.label} report has no "
                       f"figures for {sector}")
    _decoded[key] = snapshot.loads(stored, SectorReport)
    while len(_decoded) > _DECODED_KEPT:
        _decoded.popitem(last=False)
    return _decoded[key]


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
