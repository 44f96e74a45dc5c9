"""flask people export / erase: a person's rights over the data held about them."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, transaction
from portal.services.retention import erase_person, export_person

group = AppGroup("people", help="What is held about a person: export it, erase it.")


@group.command("export")
@click.option("--email", required=True, help="The person's email address.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the JSON to this file (default: standard output).")
def export(email: str, output: str | None) -> None:
    """Everything held about a person (account, role, sessions, audit events, emails sent to
    them, agency contacts) as JSON, for a subject access request."""
    with transaction() as session:
        data = export_person(session, email)
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"Wrote everything held about {email} to {output}")
    else:
        click.echo(text)


@group.command("erase")
@click.option("--email", required=True, help="The person's email address.")
@NOW_OPTION
def erase(email: str, now_text: str | None) -> None:
    """Anonymise what the retention rules allow, and say what was kept and why."""
    with transaction() as session:
        erased, kept = erase_person(session, email, now=parse_now(now_text))
    click.echo(f"Erased for {email}:")
    for line in erased:
        click.echo(f"  - {line}")
    click.echo("Kept:")
    for line in kept:
        click.echo(f"  - {line}")
