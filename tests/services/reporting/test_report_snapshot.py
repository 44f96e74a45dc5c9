"""A published report is stored losslessly: the report data read back equals the report counted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from portal.reports.formats import render_download
from portal.reports.sector_exports import render_csv, render_json
from portal.services import register
from portal.services.reporting import (
    ReportDownload,
    SectorReport,
    sector_report,
    sector_reports,
    snapshot_dumps,
    snapshot_loads,
)
from tests.support import report_fixture, survey_fixture
from tests.support.report_fixture import AFTER, CURRENT, DURING


def test_a_realistic_report_reads_back_equal_to_the_one_stored(db: Session, tool: Any) -> None:
    known = report_fixture.build(db, tool)
    report_fixture.add_small_sector(db, tool, known)
    for now, sector in ((DURING, None), (AFTER, None), (AFTER, "Health")):
        report = sector_report(db, cycle_label=CURRENT, sector=sector, now=now)
        stored = snapshot_dumps(report)
        back = snapshot_loads(stored, SectorReport)
        assert back == report
        assert render_json(back) == render_json(report)
        assert render_csv(back) == render_csv(report)
    assert report.moderation.counts.compared == 4  # the tree holds the moderation figures
    assert any(section.changes for section in back.sectors)  # and the changes since 2022-23


def test_the_survey_inside_a_report_reads_back_equal(db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey_fixture.close(db, known)
    report = sector_report(db, cycle_label=known.cycle.label)
    assert report.survey is not None and any(a.shown for a in report.survey.agencies)
    assert snapshot_loads(snapshot_dumps(report), SectorReport) == report


def test_every_sectors_report_at_once_equals_each_counted_alone(db: Session, tool: Any) -> None:
    """Publishing stores the report of every sector from one pass over the answers: each must
    equal the report `sector_report(sector=...)` counts on its own."""
    known = report_fixture.build(db, tool)
    report_fixture.add_small_sector(db, tool, known)
    names = [s.name for s in register.sectors(db)]
    together = sector_reports(db, cycle_label=CURRENT, sectors=names, now=AFTER)
    assert set(together) == {None, *names}
    for name in (None, *names):
        alone = sector_report(db, cycle_label=CURRENT, sector=name, now=AFTER)
        assert together[name] == alone, name
    assert any(together[n].sectors for n in names)  # some sector has returns to compare


def test_a_report_published_before_agencies_were_counted_still_loads_and_renders(
    db: Session, tool: Any
) -> None:
    """Snapshots stored before GridRow.agencies existed have no such key: they read back with
    the default, and their grid keeps the rule it was published with (graded answers)."""
    known = report_fixture.build(db, tool)
    report_fixture.add_small_sector(db, tool, known)
    report = sector_report(db, cycle_label=CURRENT, now=AFTER)
    stored = json.loads(snapshot_dumps(report))
    grid = stored["grid"]  # stored then as a list of objects (now by columns), without agencies
    stored["grid"] = [{name: value for name, value in zip(grid["$cols"], row, strict=True)
                       if name != "agencies"} for row in grid["$rows"]]
    old = snapshot_loads(json.dumps(stored), SectorReport)
    assert all(g.agencies == [] for g in old.grid) and not old.agencies_counted
    # counted now: every standard of the one-agency sector; as published: those under 5 answers
    assert {t.sector: len(t.codes) for t in report.too_few} == {"Sports and culture": 12}
    assert {t.sector: t.codes for t in old.too_few} == {
        "Sports and culture": ["1", "3", "4", "5", "7", "8", "9", "10", "11", "12"]}
    for fmt in ("pdf", "xlsx", "csv", "json"):
        assert render_download(ReportDownload(old), fmt, partnership="Test").content


def test_a_list_the_report_shares_is_stored_once_and_reads_back_shared(
        db: Session, tool: Any) -> None:
    """Agencies without shown survey figures share one list of zero counts: the snapshot
    stores it once and refers to it, and the report read back shares it again, so a national
    cycle's published figures do not hold (or rebuild) a copy per agency."""
    report_fixture.build(db, tool)
    report = sector_report(db, cycle_label=CURRENT, now=AFTER)
    assert report.survey is not None
    hidden = [a for a in report.survey.agencies if not a.shown]
    assert len(hidden) >= 2 and all(a.statements is hidden[0].statements for a in hidden)

    stored = snapshot_dumps(report)
    shown = sum(a.shown for a in report.survey.agencies)
    first = hidden[0].statements[0].text  # in each sector's, the partnership's and shown lists
    assert stored.count(first) == 1 + len(report.survey.sectors) + 1 + shown
    assert stored.count('"$share"') == 1  # one list numbered, the others refer to it
    back = snapshot_loads(stored, SectorReport)
    assert back == report
    assert back.survey is not None
    again = [a for a in back.survey.agencies if not a.shown]
    assert all(a.statements is again[0].statements for a in again)
    assert snapshot_loads(snapshot_dumps(back), SectorReport) == report
