"""flask backup --out FILE: a consistent copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import make_url

PG_DUMP_HINT = ("flask backup copies SQLite databases. For PostgreSQL run: "
                "pg_dump --format=custom --file FILE.dump \"$DATABASE_OWNER_URL_WITHOUT_DRIVER\" "
                "(the tables' owner, for example postgresql://portal@host/db), and restore with "
                "pg_restore --clean --if-exists --dbname ... FILE.dump. "
                "See docs/operations.md.")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write the copy to (must not exist yet).")
def command(out: Path) -> None:
    """Copy the SQLite database with SQLite's online backup API, while the portal runs."""
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("There is no database file to copy")
    if out.exists():
        raise click.ClickException(f"{out} already exists: choose a new file name")
    pages = backup_sqlite(Path(url.database), out)
    click.echo(f"Copied {url.database} to {out} ({pages} pages)")


def backup_sqlite(source: Path, out: Path) -> int:
    """A consistent snapshot: the backup API copies pages and restarts if a writer changes one."""
    out.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(out)
    try:
        with dst:
            src.backup(dst, pages=256)
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise click.ClickException(f"The copy failed its integrity check: {check}")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    return pages
