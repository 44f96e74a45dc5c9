"""flask returns import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, parse_now, transaction
from portal.services.returns import COLUMNS, import_returns

group = AppGroup("returns", help="Agencies' returns.")

IMPORT_HELP = f"""Import answers and evidence for a cycle's returns from a CSV; all or nothing.

\b
Header row: {",".join(COLUMNS)}
  answer rows:   type=answer, agency, code=question code (6.2), grade, comment,
                 na_reason (why not applicable)
  evidence rows: type=evidence, agency, code=standard code (6), evidence
\b
grade is outstanding, good, requires_improvement, inadequate or not_applicable
(or its label, in any case). A blank grade means not answered: it is stored as
not answered, never as a grade. Agencies are named as in the register and must
have been issued the cycle. Every problem is reported with its line number and
nothing is saved unless the whole file is correct. With --submit the imported
returns are marked submitted (no emails are sent). See docs/returns-import.md.
"""


@group.command("import", help=IMPORT_HELP)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cycle", "cycle_label", required=True, metavar="LABEL",
              help="The cycle the answers belong to, e.g. 2017-18.")
@click.option("--submit", is_flag=True, help="Mark the imported returns as submitted.")
@NOW_OPTION
def import_command(path: Path, cycle_label: str, submit: bool, now_text: str | None) -> None:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text") from exc
    with transaction() as session:
        result = import_returns(session, text, cycle_label=cycle_label, submit=submit,
                                user_id=None, now=parse_now(now_text))
    click.echo(f"Imported {result.answers} answers and {result.evidence} evidence descriptions "
               f"into {result.returns} returns" +
               (f"; {result.submitted} marked submitted" if submit else ""))
