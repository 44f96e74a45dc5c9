"""flask jobs succeeded NAME: record that a scheduled job ran (the backup timer runs it after the
copy, `flask backup` or `pg_dump`), for /metrics."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import record_job_success
from portal.services.operations import JOBS

group = AppGroup("jobs", help="Scheduled jobs' last successful runs (shown on /metrics).")


@group.command("succeeded")
@click.argument("name", type=click.Choice(JOBS))
def succeeded(name: str) -> None:
    """Record that NAME has just run without an error (the backup timer, after its copy)."""
    record_job_success(name)
    click.echo(f"Recorded a successful {name} run")
