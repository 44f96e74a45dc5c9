"""Partnerships as tenants, the first step (issue 28): every table either holds one partnership's
data, with a partnership_id the database requires, or is shared on purpose; rows the services
make today go to the installation's first partnership; the migration names that partnership
from the environment."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import migrate
from portal.models import (
    FIRST_PARTNERSHIP_ID,
    Base,
    Partnership,
    PartnershipOwned,
    Return,
)
from tests.support import factories, owner_engine
from tests.support.returns_helpers import issue

# Shared on purpose: reference data every partnership uses, people and their factors (a person
# may belong to several partnerships), and the service's own bookkeeping. The agencies become
# organisations shared between partnerships, with a membership each (the design's next step).
SHARED = {
    "partnerships", "sectors", "tool_versions", "standards", "questions", "grade_descriptors",
    "survey_statements", "survey_statement_questions",
    "agencies", "contacts", "users", "user_sessions", "mfa_totp_factors", "mfa_recovery_codes",
    "passkeys", "passkey_challenges", "identity_providers", "identity_provider_domains",
    "linked_identities", "throttles", "job_runs", "mail_pauses",
}


def _owned_models() -> set[str]:
    return {m.local_table.name for m in Base.registry.mappers  # type: ignore[attr-defined]
            if issubclass(m.class_, PartnershipOwned)}


def test_every_table_is_owned_by_a_partnership_or_shared_on_purpose() -> None:
    tables = set(Base.metadata.tables)
    owned = {name for name in tables if "partnership_id" in Base.metadata.tables[name].c}
    assert owned == _owned_models()
    assert tables - owned == SHARED, "a new table must say whose it is: add PartnershipOwned or SHARED"
    for name in owned:
        column = Base.metadata.tables[name].c.partnership_id
        assert not column.nullable and column.server_default is not None, name
        assert [fk.column.table.name for fk in column.foreign_keys] == ["partnerships"], name


def _migration(name: str) -> ModuleType:
    path = migrate.MIGRATIONS / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_give_the_same_tables_their_partnership() -> None:
    """0019 gave the existing tables their partnership, and 0020 put them under row-level
    security; 0022 made the memberships, owned but read across partnerships (a person's
    memberships decide their second factor and, later, the switcher), so not under the policy."""
    first = set(_migration("0019_partnerships").OWNED)
    assert first | set(_migration("0022_memberships").OWNED) == _owned_models()
    assert set(_migration("0020_row_level_security").SECURED) == first
    assert "partnership_members" in _owned_models() - first


def test_rows_made_without_naming_a_partnership_go_to_the_first(db: Session) -> None:
    factories.tool(db)
    agency = factories.agency(db)
    cycle = issue(db)
    db.commit()
    partnership = db.get(Partnership, FIRST_PARTNERSHIP_ID)
    assert partnership is not None
    the_return = db.scalar(select(Return).where(Return.agency_id == agency.id))
    assert the_return is not None
    assert (cycle.partnership_id, the_return.partnership_id) == (partnership.id, partnership.id)
    other = db.scalar(select(Partnership.id).where(Partnership.id != FIRST_PARTNERSHIP_ID))
    assert other is None


def test_the_database_refuses_a_row_of_a_partnership_that_does_not_exist(
        db: Session, database_owner_url: str) -> None:
    factories.tool(db)
    factories.agency(db)
    issue(db)
    db.commit()
    # as the tables' owner: on PostgreSQL the app's role meets row-level security first
    with owner_engine(database_owner_url).connect() as owner, \
            pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        owner.execute(text("UPDATE cycles SET partnership_id = 999"))


def test_the_migration_names_the_first_partnership_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSHIP_NAME", "Borsetshire Safeguarding Children Partnership")
    monkeypatch.setenv("HELP_EMAIL", "help@borsetshire.example.org")
    monkeypatch.delenv("PARTNERSHIP_SLUG", raising=False)
    url = f"sqlite:///{tmp_path / 'named.sqlite3'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Partnership.id, Partnership.slug, Partnership.name,
                                   Partnership.help_email)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [
        (FIRST_PARTNERSHIP_ID, "borsetshire", "Borsetshire Safeguarding Children Partnership",
         "help@borsetshire.example.org")]

