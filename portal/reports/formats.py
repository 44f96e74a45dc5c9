"""The MESC report in each format it is downloaded in: one choice of renderer, for the web and
the CLI. Every renderer is pure (report data -> bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.reports.sector_exports import render_csv, render_json, render_xlsx
from portal.services.reporting import ReportDownload, SectorReport

CONTENT_TYPES = {  # a key for each of reporting.REPORT_FORMATS
    "pdf": "application/pdf",
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    extension: str


def render(report: SectorReport, fmt: str, *, partnership: str) -> Rendered:
    """The report as a file in `fmt` (one of REPORT_FORMATS)."""
    return Rendered(_bytes(report, fmt, partnership), CONTENT_TYPES[fmt], fmt)


def render_download(found: ReportDownload, fmt: str, *, partnership: str) -> Rendered:
    """The report found for a download: a closed cycle's all-sectors JSON exactly as published,
    anything else rendered from its data."""
    if found.published_json is not None:
        return Rendered(found.published_json.encode(), CONTENT_TYPES["json"], "json")
    return render(found.report, fmt, partnership=partnership)


def _bytes(report: SectorReport, fmt: str, partnership: str) -> bytes:
    if fmt == "pdf":
        from portal.reports.sector_pdf import (
            render_sector_report,  # lazily: reportlab loads on the first PDF, not at start-up
        )

        return render_sector_report(report, partnership=partnership)
    return {"csv": render_csv, "json": render_json, "xlsx": render_xlsx}[fmt](report)
