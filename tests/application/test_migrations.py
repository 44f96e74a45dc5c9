"""Migrations: one head, up from empty and down to base on SQLite and PostgreSQL, models agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from portal import migrate
from portal.models import DEFAULT_SECTORS, Base

pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite and PostgreSQL databases, whatever TEST_DB says


def test_migrations_have_one_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_migration_files_are_numbered_from_0001() -> None:
    names = sorted(p.name for p in (migrate.MIGRATIONS / "versions").glob("*.py"))
    assert names[0].startswith("0001_")
    assert [n[:4] for n in names] == [f"{i:04d}" for i in range(1, len(names) + 1)]


def _roundtrip(url: str) -> None:
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        sectors = [row[0] for row in conn.execute(text("SELECT name FROM sectors ORDER BY position"))]
        assert sectors == list(DEFAULT_SECTORS)
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    migrate.downgrade(url, "base")
    remaining = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    migrate.upgrade(url)
    assert "agencies" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrade_downgrade_on_sqlite(tmp_path: Path) -> None:
    _roundtrip(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_upgrade_downgrade_on_postgresql(postgres_url: str) -> None:
    _roundtrip(postgres_url)


@pytest.mark.parametrize("table", ["agencies", "returns", "answers", "outbox_messages", "chasers",
                                   "visits", "findings", "escalations", "audit_events"])
def test_domain_tables_exist(table: str) -> None:
    assert table in Base.metadata.tables
