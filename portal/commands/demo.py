"""flask demo load."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, transaction
from portal.reports.published import publish_unpublished
from portal.services.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo

group = AppGroup("demo", help="Demo data.")


@group.command("load")
@NOW_OPTION
def load(now_text: str | None) -> None:
    """Load a realistic demo partnership into an empty database."""
    with transaction() as session:
        summary = load_demo(session, now=parse_now(now_text))
        publish_unpublished(session)  # the closed cycles' reports, as published at close
    click.echo(f"Demo loaded: {summary.agencies} agencies, {summary.users} users, "
               f"{summary.cycles} cycles, {summary.returns} returns.")
    click.echo(f"Sign in as manager@{DEMO_DOMAIN}, mesc@{DEMO_DOMAIN}, member1@{DEMO_DOMAIN} or "
               f"agency@{DEMO_DOMAIN} with the password {DEMO_PASSWORD}")
