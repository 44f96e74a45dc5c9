"""flask agencies import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.commands.common import transaction
from portal.services.register import import_agencies

group = AppGroup("agencies", help="The agency register.")


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Add agencies from a CSV (name,sector,email,contact_name,cohort[,variant]); all or nothing."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text") from exc
    with transaction() as session:
        result = import_agencies(session, text)
    click.echo(f"Imported {result.added} agencies")
