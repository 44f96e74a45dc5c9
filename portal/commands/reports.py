"""flask reports sector, annual and publish-missing."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, survey_settings, transaction
from portal.reports import annual
from portal.reports.formats import render_download
from portal.services import reporting

group = AppGroup("reports", help="The MESC reports.")


@group.command("sector")
@click.option("--cycle", "cycle_label", required=True, help="The cycle's label, like 2017-18.")
@click.option("--format", "fmt", type=click.Choice(reporting.REPORT_FORMATS), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write.")
@click.option("--sector", "sector", default=None, help="Only this sector (its name).")
@NOW_OPTION
def sector(cycle_label: str, fmt: str, out: Path, sector: str | None, now_text: str | None) -> None:
    """Write the MESC summary of a cycle: the weakest standards by sector and overall
    (provisional until the cycle's final deadline has passed; a closed cycle's as published)."""
    with transaction() as session:
        found = reporting.report_download(session, cycle_label, fmt, sector=sector,
                                          now=parse_now(now_text),
                                          survey_settings=survey_settings())
    content = render_download(found, fmt,
                              partnership=current_app.config["PARTNERSHIP_NAME"]).content
    out.write_bytes(content)
    report = found.report
    status = f"provisional: {report.can_still_return} can still return, " if report.provisional else ""
    click.echo(f"Wrote the {report.cycle} report ({status}{fmt}, {len(content):,} bytes) to {out}")


@group.command("annual")
@click.option("--cycle", "cycle_label", required=True, help="The cycle's label, like 2017-18.")
@click.option("--format", "fmt", type=click.Choice(sorted(annual.FORMATS)), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write.")
@NOW_OPTION
def annual_section(cycle_label: str, fmt: str, out: Path, now_text: str | None) -> None:
    """Draft the annual report's Compact Audit section (Word or Markdown) from the data: the
    figures of the MESC report at the same moment."""
    with transaction() as session:
        blocks = reporting.annual_section(session, cycle_label=cycle_label,
                                          now=parse_now(now_text),
                                          survey_settings=survey_settings())
    content = annual.FORMATS[fmt][1](blocks)
    out.write_bytes(content)
    click.echo(f"Wrote the {cycle_label} annual report section ({fmt}, {len(content):,} bytes) "
               f"to {out}")


@group.command("publish-missing")
def publish_missing() -> None:
    """Publish the report of every closed cycle that has none, and keep the figures of a latest
    version published before they were kept (when they still stand). Safe to rerun."""
    with transaction() as session:
        count = reporting.publish_unpublished(session)
    click.echo(f"Published or filled in {count} report versions")
