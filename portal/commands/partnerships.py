"""flask partnerships list, flask partnerships create: the partnerships this service hosts.

Commands that work in one partnership take `--partnership SLUG` (PARTNERSHIP_OPTION): the only
partnership when the service hosts one, and otherwise required (`command_scope`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from portal.commands.common import NOW_OPTION, parse_now, transaction
from portal.db import set_scope
from portal.services import partnerships
from portal.services.common import Scope

group = AppGroup("partnerships", help="The partnerships this service hosts.")

PARTNERSHIP_OPTION = click.option(
    "--partnership", "partnership_slug", metavar="SLUG", default=None,
    help="The partnership's slug (needed when the service hosts several).")


def command_scope(session: Session, slug: str | None) -> Scope:
    """The partnership `--partnership` names, or the service's only one; the command's
    transaction works in it from here on (on PostgreSQL, row-level security)."""
    scope = partnerships.scope_of(session, slug) if slug else partnerships.only_scope(session)
    set_scope(session, scope.id)
    return scope


@group.command("list")
def list_command() -> None:
    """Each partnership: its slug, name and help address, and its cycles and returns."""
    with transaction() as session:
        found = partnerships.list_partnerships(session)
    for p in found:
        click.echo(f"{p.slug}\t{p.name}\t{p.help_email}\t{p.cycles} cycles\t{p.returns} returns")


@group.command("create")
@click.option("--slug", required=True,
              help="Its address on the service: lower case letters, digits and hyphens.")
@click.option("--name", required=True, help="Its full name, as pages and emails show it.")
@click.option("--help-email", required=True, help="Where its people write for help.")
@NOW_OPTION
def create_command(slug: str, name: str, help_email: str, now_text: str | None) -> None:
    """Add a partnership; give it its first manager with
    `flask users create --role manager --partnership SLUG`."""
    with transaction() as session:
        made = partnerships.create_partnership(session, slug=slug, name=name,
                                               help_email=help_email, now=parse_now(now_text))
    click.echo(f"Created the partnership {made.slug} ({made.name}). Add its first manager with: "
               f"flask users create --role manager --partnership {made.slug} --email ...")
