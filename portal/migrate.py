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


def grant_app_role(owner_url: str, app_url: str) -> str | None:
    """On PostgreSQL, give the app's role (DATABASE_URL's user) what it needs on the tables the
    owner's migrations made, and nothing more: it owns nothing, so row-level security holds it
    (docs/architecture.md). Run after every upgrade, so a new table is granted too. Returns the
    role granted to, or None when there is none apart from the owner (SQLite, one role)."""
    from sqlalchemy import create_engine, make_url, text

    owner, app = make_url(owner_url), make_url(app_url)
    if owner.get_backend_name() != "postgresql" or not app.username or app.username == owner.username:
        return None
    engine = create_engine(owner_url)
    try:
        with engine.begin() as conn:
            role = engine.dialect.identifier_preparer.quote(app.username)
            migrated = conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
            for statement in _grants(role, migrated=bool(migrated)):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    return app.username


def _grants(role: str, *, migrated: bool) -> list[str]:
    """Reading and writing rows, and drawing ids from the sequences; the migrations' own record
    (alembic_version) read only."""
    grants = [f"GRANT USAGE ON SCHEMA public TO {role}",
              f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
              f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"]
    if migrated:
        grants.append(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}")
    return grants
