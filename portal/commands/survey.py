"""flask survey links / results / pack / poster."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, survey_settings, transaction
from portal.services import survey
from portal.services.common import csv_text
from portal.services.cycles import get_cycle

group = AppGroup("survey", help="The practitioner survey: links, results, challenge-day packs.")
CYCLE = click.option("--cycle", "label", required=True, help="The cycle's label, like 2017-18.")


def survey_url(token: str) -> str:
    return f"{current_app.config['SERVER_NAME_FOR_LINKS'].rstrip('/')}/survey/{token}"


@group.command("links")
@CYCLE
@NOW_OPTION
def links(label: str, now_text: str | None) -> None:
    """Print CSV agency,url: every issued agency's survey link (made on first need); a name
    that a spreadsheet would run as a formula is defused, as in every CSV the portal writes."""
    with transaction() as session:
        rows = survey.link_rows(session, get_cycle(session, label), now=parse_now(now_text))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["agency", "url"])
    writer.writerows([csv_text(name), csv_text(survey_url(token))] for name, token in rows)


@group.command("results")
@CYCLE
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def results(label: str, fmt: str) -> None:
    """Print every issued agency's results and corroboration gaps as JSON."""
    with transaction() as session:
        data = survey.survey_results(session, get_cycle(session, label), settings=survey_settings())
    click.echo(json.dumps(data.as_dict(), indent=2))


@group.command("pack")
@CYCLE
@click.option("--agency", "agency", default=None,
              help="One agency's challenge-day pack; without it, the partnership pack.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def pack(label: str, agency: str | None, out: Path) -> None:
    """Write a challenge-day pack PDF (one agency's, or the partnership's sorted by gaps)."""
    from portal.reports import survey_pdf  # lazily: reportlab loads on the first PDF

    with transaction() as session:
        data = survey.survey_results(session, get_cycle(session, label), settings=survey_settings())
    if agency is None:
        content = survey_pdf.render_partnership_pack(data)
    else:
        found = next((a for a in data.agencies if a.agency == agency), None)
        if found is None:
            raise click.ClickException(f"{agency} was not issued the {label} audit")
        content = survey_pdf.render_challenge_pack(found, data)
    out.write_bytes(content)
    click.echo(f"Wrote {out} ({len(content):,} bytes)")


def _agency_id(data: survey.SurveyResults, agency: str, label: str) -> int:
    found = next((a for a in data.agencies if a.agency == agency), None)
    if found is None:
        raise click.ClickException(f"{agency} was not issued the {label} audit")
    return found.agency_id


@group.command("flagged")
@CYCLE
def flagged(label: str) -> None:
    """Print CSV agency,flag,responses,set_aside: the cycle's responses flagged as bursts."""
    with transaction() as session:
        batches = survey.flagged_batches(session, get_cycle(session, label))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["agency", "flag", "responses", "set_aside"])
    writer.writerows([b.agency, b.flag, b.responses, b.set_aside or ""] for b in batches)


@group.command("set-aside")
@CYCLE
@click.option("--agency", required=True, help="The agency's name.")
@click.option("--flag", required=True, help='The batch\'s flag, like "burst 2026-05-03".')
@click.option("--reason", required=True, help="Why the batch is set aside (kept with it).")
def set_aside(label: str, agency: str, flag: str, reason: str) -> None:
    """Set a flagged batch aside: it counts in no figure, pack or targeted sample."""
    with transaction() as session:
        cycle = get_cycle(session, label)
        agency_id = _agency_id(survey.survey_results(session, cycle, agency_id=None), agency, label)
        n = survey.set_aside_batch(session, cycle, agency_id=agency_id, flag=flag, reason=reason)
    click.echo(f"Set aside {n} responses to {agency}'s link ({flag})")


@group.command("headcount")
@CYCLE
@click.option("--agency", required=True, help="The agency's name.")
@click.option("--headcount", required=True, type=click.IntRange(1), help="The new cap.")
def headcount(label: str, agency: str, headcount: int) -> None:
    """Raise the most responses an agency's survey link takes (its staff headcount)."""
    with transaction() as session:
        cycle = get_cycle(session, label)
        survey.ensure_links(session, cycle, now=parse_now(None))
        agency_id = _agency_id(survey.survey_results(session, cycle), agency, label)
        survey.declare_headcount(session, cycle, agency_id=agency_id, headcount=headcount,
                                 by_manager=True)
    click.echo(f"{agency}'s survey link now takes up to {headcount} responses")
