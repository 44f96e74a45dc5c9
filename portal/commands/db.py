"""flask db upgrade | downgrade."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal import migrate

group = AppGroup("db", help="Apply or undo database migrations.")


@group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest), as the tables' owner
    (DATABASE_OWNER_URL, else DATABASE_URL); then grant DATABASE_URL's role its rights."""
    owner = _owner_url()
    migrate.upgrade(owner, revision)
    click.echo(f"Database upgraded to {revision}")
    role = migrate.grant_app_role(owner, current_app.config["DATABASE_URL"])
    if role:
        click.echo(f"The app's role {role} may read and write rows, under row-level security")


def _owner_url() -> str:
    return str(current_app.config.get("DATABASE_OWNER_URL") or current_app.config["DATABASE_URL"])


@group.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Confirm: undoing migrations drops tables and columns.")
def downgrade(revision: str, yes: bool) -> None:
    """Undo migrations down to REVISION ("base" for an empty database). Needs --yes."""
    url = _owner_url()
    undone = migrate.revisions_between(url, revision)
    if not undone:
        click.echo(f"Nothing to undo: the database is at or below {revision}")
        return
    click.echo("This undoes, newest first:")
    for name, doc in undone:
        click.echo(f"  {name}: {doc}")
    if revision == "base":
        click.echo(f"and drops every table: {', '.join(migrate.table_names(url))}")
    if not yes:
        raise click.ClickException("Nothing was changed. Make a backup (see docs/operations.md), "
                                   "then run the command again with --yes")
    migrate.downgrade(url, revision)
    click.echo(f"Database downgraded to {revision}")
