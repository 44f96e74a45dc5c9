"""Alembic, driven from the app's settings: `flask db upgrade` and friends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal import paths

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = paths.MIGRATIONS


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config  # lazily: every flask command imports this module

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def revisions_between(database_url: str, target: str) -> list[tuple[str, str]]:
    """The applied revisions a downgrade to `target` would undo, newest first, with their titles."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    if current is None:
        return []
    script = ScriptDirectory.from_config(alembic_config(database_url))
    lower = None if target == "base" else target
    undone = []
    for rev in script.iterate_revisions(current, lower or "base"):
        if rev.revision == lower:
            continue
        undone.append((rev.revision, (rev.doc or "").splitlines()[0]))
    return undone


def table_names(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(database_url)
    try:
        return sorted(n for n in inspect(engine).get_table_names() if n != "alembic_version")
    finally:
        engine.dispose()
