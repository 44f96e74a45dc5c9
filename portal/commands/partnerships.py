"""flask partnerships list: the partnerships this service hosts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import transaction
from portal.services import partnerships

group = AppGroup("partnerships", help="The partnerships this service hosts.")


@group.command("list")
def list_command() -> None:
    """Each partnership: its slug, name and help address, and its cycles and returns."""
    with transaction() as session:
        found = partnerships.list_partnerships(session)
    for p in found:
        click.echo(f"{p.slug}\t{p.name}\t{p.help_email}\t{p.cycles} cycles\t{p.returns} returns")
