"""0022_memberships both ways, on both engines: upgrading gives every user a membership of the
first partnership with their role and agency (the upgrade test checks it on the demo's data);
downgrading takes each user's role and agency back from that membership, and a user with a
role only in another partnership comes back with the least one, a committee member."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from portal import migrate

BEFORE = "0021_returns_by_cycle_status"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'memberships.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = conn.execute(text(statement))
                rows = [tuple(r) for r in result] if result.returns_rows else rows
            return rows
    finally:
        engine.dispose()


def test_roles_move_into_memberships_and_back(url: str) -> None:
    migrate.upgrade(url, BEFORE)
    _run(url,
         "INSERT INTO sectors (id, name, position, default_variant) "
         "VALUES (901, 'Test sector', 99, 'full')",
         "INSERT INTO agencies (id, name, sector_id, cohort, variant, active, created_at, updated_at) "
         "VALUES (7, 'Riverside', 901, 'A', 'full', true, '2026-01-01', '2026-01-01')",
         "INSERT INTO users (id, email, name, role, agency_id, active, session_generation, "
         "created_at) VALUES "
         "(1, 'm@example.org', 'M', 'manager', NULL, true, 0, '2026-01-01'), "
         "(2, 'a@example.org', 'A', 'agency', 7, true, 0, '2026-01-02')")

    migrate.upgrade(url)
    assert _run(url, "SELECT user_id, partnership_id, role, agency_id FROM partnership_members "
                     "ORDER BY user_id") == [(1, 1, "manager", None), (2, 1, "agency", 7)]
    assert _run(url, "SELECT id, is_operator FROM users ORDER BY id") == [(1, False), (2, False)]
    with pytest.raises(IntegrityError, match=r"(?i)unique"):  # users kept lower(email) unique
        _run(url, "INSERT INTO users (email, name, active, session_generation, created_at) "
                  "VALUES ('M@Example.ORG', 'M', true, 0, '2026-01-01')")
    _run(url,
         "INSERT INTO partnerships (id, slug, name, help_email, dpo_email, created_at) "
         "VALUES (2, 'westshire', 'Westshire', 'h@west.example', '', '2026-02-01')",
         "INSERT INTO users (id, email, name, active, session_generation, is_operator, "
         "created_at) VALUES (3, 'w@example.org', 'W', true, 0, false, '2026-02-01')",
         "INSERT INTO partnership_members (user_id, partnership_id, role, agency_id, created_at) "
         "VALUES (1, 2, 'moderator', NULL, '2026-02-01'), (3, 2, 'manager', NULL, '2026-02-01')")

    migrate.downgrade(url, BEFORE)
    assert _run(url, "SELECT id, role, agency_id FROM users ORDER BY id") == [
        (1, "manager", None), (2, "agency", 7), (3, "committee", None)]
    with pytest.raises(IntegrityError, match=r"(?i)check"):  # the checks are back
        _run(url, "UPDATE users SET agency_id = NULL WHERE id = 2")
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        _run(url, "INSERT INTO users (email, name, role, active, session_generation, created_at) "
                  "VALUES ('M@Example.ORG', 'M', 'manager', true, 0, '2026-01-01')")
    migrate.upgrade(url)  # and up again
    assert len(_run(url, "SELECT id FROM partnership_members")) == 3
