"""flask backup copies a live SQLite database that restores with the same counts; on PostgreSQL
it refuses and names pg_dump. flask db downgrade needs --yes and says what it drops."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import get_db
from portal.models import Base
from tests.support import BACKEND, factories


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                  for t in Base.metadata.sorted_tables}
    engine.dispose()
    return counts


def _run(app: Flask, *args: str) -> tuple[int, str]:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_backup_of_a_live_database_restores_with_the_same_counts_or_names_pg_dump(
    app: Flask, db: Session, tool: object, tmp_path: Path
) -> None:
    if BACKEND == "postgresql":
        code, output = _run(app, "backup", "--out", str(tmp_path / "copy"))
        assert code != 0 and "pg_dump" in output
        assert not (tmp_path / "copy").exists()
        return
    for n in range(25):
        factories.agency(db, f"Agency {n:02}", email=f"lead{n}@example.org")
    factories.user(db, "manager")
    db.commit()
    source_url = app.config["DATABASE_URL"]
    committed = _counts(source_url)
    writer = sqlite3.connect(source_url.removeprefix("sqlite:///"), timeout=30)
    writer.execute("BEGIN IMMEDIATE")  # the portal is mid-write while the copy is made
    writer.execute("INSERT INTO sectors (name, position, default_variant) VALUES ('Uncommitted', 99, 'full')")
    try:
        code, output = _run(app, "backup", "--out", str(tmp_path / "copy.sqlite3"))
    finally:
        writer.rollback()
        writer.close()
    assert code == 0, output
    assert "Copied" in output

    restored = tmp_path / "fresh-instance" / "portal.sqlite3"  # a fresh instance's folder
    restored.parent.mkdir()
    shutil.copy(tmp_path / "copy.sqlite3", restored)
    fresh = create_app("testing", DATABASE_URL=f"sqlite:///{restored}")
    assert _run(fresh, "db", "upgrade")[0] == 0  # already at the head: nothing to do
    assert _counts(f"sqlite:///{restored}") == committed
    assert committed["agencies"] == 25 and committed["tool_versions"] == 1
    with get_db(fresh).transaction() as session:
        assert session.scalar(text("SELECT count(*) FROM sectors WHERE name = 'Uncommitted'")) == 0
    get_db(fresh).engine.dispose()
    assert _run(app, "backup", "--out", str(tmp_path / "copy.sqlite3"))[0] != 0  # no overwrite


def test_downgrade_needs_yes_and_names_what_it_drops(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    migrate.upgrade(url)
    app = create_app("testing", DATABASE_URL=url)

    code, output = _run(app, "db", "downgrade", "base")
    assert code != 0
    assert "0005_reliable_mail" in output and "0001" in output
    assert "drops every table:" in output and "agencies" in output and "outbox_messages" in output
    assert "Nothing was changed" in output and "--yes" in output
    assert "agencies" in migrate.table_names(url)

    code, output = _run(app, "db", "downgrade", "0002_form_stash")
    assert code != 0 and "0005_reliable_mail" in output and "0002_form_stash:" not in output

    code, output = _run(app, "db", "downgrade", "base", "--yes")
    assert code == 0, output
    assert migrate.table_names(url) == []
    get_db(app).engine.dispose()
