"""flask retention apply: keep personal data no longer than the policy says (run daily)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, transaction
from portal.services.retention import RetentionPolicy, apply_retention

group = AppGroup("retention", help="Personal data kept no longer than the policy says.")


class _DryRun(Exception):
    """Raised to roll a dry run's changes back."""


@group.command("apply")
@NOW_OPTION
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change nothing.")
def apply(now_text: str | None, dry_run: bool) -> None:
    """Clear old email bodies, purge ended sessions and counters, disable and later anonymise
    unused accounts, remove contacts of agencies that left, delete audit events past their
    time. Published reports are never touched. Each run is recorded in the audit log."""
    policy = RetentionPolicy.from_config(current_app.config)
    try:
        with transaction() as session:
            result = apply_retention(session, policy, now=parse_now(now_text))
            if dry_run:
                raise _DryRun  # the same work, rolled back: the counts are exact
    except _DryRun:
        click.echo("Dry run: nothing was changed. This run would have done:")
    for line in result.lines():
        click.echo(line)
