"""flask tools load | show."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.commands.common import transaction
from portal.services import tools

group = AppGroup("tools", help="Load and show versions of the audit tool.")


@group.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(path: Path | None) -> None:
    """Validate a tool file and store it as an immutable version (default: the bundled edition)."""
    with transaction() as session:
        result = tools.load_tool(session, path or tools.CURRENT_EDITION)
        version = result.tool_version.version
    click.echo(f"Loaded tool version {version}" if result.created
               else f"Tool version {version} is already loaded (unchanged)")


@group.command("show")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
@click.option("--version", "version", default=None, help="A loaded version (default: latest).")
@click.option("--variant", type=click.Choice(["full", "schools", "short"]), default=None,
              help="Show the tool as this variant shows it: its questions, words and numbers.")
def show(fmt: str, version: str | None, variant: str | None) -> None:
    """Print a tool's standards and questions."""
    with transaction() as session:
        tool = tools.get_tool(session, version)
        data = tools.tool_as_dict(tool, variant, tools.tool_statements(session, tool))
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"{data['title']} — version {data['version']}")
    for standard in data["standards"]:
        click.echo(f"\n{standard['code']} {standard['title']}")
        for q in standard["questions"]:
            number = f"{q['number']:>3} " if "number" in q else ""
            click.echo(f"  {number}{q['code']:<5} [{','.join(q['variants'])}] {q['text']}")
