"""Upgrading an installation loses nothing: a database made by an earlier `main` (the demo, its
story told: submitted returns, chasers, visits, published reports; scripts/make_upgrade_fixture.py)
is loaded at its revision, upgraded to the head, and compared. Every table keeps its row count,
every row of every table keeps the values of the columns it had (returns and answers included),
and the MESC report of every cycle shows the same figures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from portal import create_app, migrate
from portal.models import FIRST_PARTNERSHIP_ID
from tests.support import database_dump

pytestmark = pytest.mark.sqlite_pass_only  # its own SQLite and PostgreSQL databases, whatever TEST_DB says

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "upgrade"
# Columns a migration since the fixture moved elsewhere on purpose, each checked by that
# migration's own test: {table: {column}}. A column missing after the upgrade and not named here
# fails the test.
MOVED: dict[str, set[str]] = {
    "users": {"role", "agency_id"},  # into partnership_members (0022_memberships)
}


def _fixtures() -> list[Path]:
    found = sorted(FIXTURES.glob("demo-*.json.gz"))
    assert found, f"no upgrade fixture in {FIXTURES}"
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'upgraded.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.name.split(".")[0])
def test_an_earlier_database_upgrades_with_every_row_and_figure_kept(
        fixture: Path, empty_url: str, tmp_path: Path) -> None:
    made = json.loads(gzip.decompress(fixture.read_bytes()))
    rows = database_dump.decode(json.dumps(made["rows"]))
    before = _load_at(empty_url, made["revision"], rows)

    migrate.upgrade(empty_url)

    after = _measure(empty_url, before["columns"], tables=set(before["counts"]))
    assert after["counts"] == before["counts"]
    assert after["fingerprints"] == before["fingerprints"]
    if "partnerships" not in rows:  # made before partnerships: all of it is the first one's
        assert _rows_outside_the_first_partnership(empty_url) == {}
    for label, published in made["reports"].items():
        assert _report(empty_url, label, made["now"], tmp_path) == json.loads(published), label


def test_every_users_role_and_agency_become_their_membership_of_the_first_partnership(
        empty_url: str) -> None:
    """0022_memberships: each user of the earlier database has one membership, of the first
    partnership, with the role and agency they had; nobody is the operator."""
    made = json.loads(gzip.decompress(_fixtures()[-1].read_bytes()))
    rows = database_dump.decode(json.dumps(made["rows"]))
    _load_at(empty_url, made["revision"], rows)
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        with engine.connect() as conn:
            members = conn.execute(text(
                "SELECT user_id, partnership_id, role, agency_id FROM partnership_members")).all()
            operators = conn.scalar(text("SELECT count(*) FROM users WHERE is_operator"))
    finally:
        engine.dispose()
    had = {(u["id"], FIRST_PARTNERSHIP_ID, u["role"], u["agency_id"]) for u in rows["users"]}
    assert len(had) >= 10 and {u[3] for u in had} - {None}, "users of several kinds"
    assert sorted(map(tuple, members)) == sorted(had)
    assert operators == 0


def test_the_fixture_holds_what_the_upgrade_must_keep() -> None:
    """The comparison means something only if the starting database has the partnership's
    working data in it."""
    made = json.loads(gzip.decompress(_fixtures()[-1].read_bytes()))
    rows = made["rows"]
    submitted = [r for r in rows["returns"] if r["status"] == "submitted"]
    assert len(submitted) >= 20 and len(rows["answers"]) >= 1000
    for table in ("escalations", "outbox_messages", "visits", "findings", "published_reports",
                  "audit_events", "survey_responses", "recommendations"):
        assert rows[table], table
    assert len(made["reports"]) >= 2


def _load_at(url: str, revision: str, rows: database_dump.Rows) -> dict[str, Any]:
    migrate.upgrade(url, revision)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            database_dump.write_tables(conn, rows)
        columns = {table: sorted(made[0]) for table, made in rows.items() if made}
        measured = _measure_on(engine, columns, tables=None)
    finally:
        engine.dispose()
    assert measured["counts"] == {t: len(r) for t, r in rows.items()}, "the load lost rows"
    return {**measured, "columns": columns}


def _measure(url: str, columns: dict[str, list[str]], tables: set[str]) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        return _measure_on(engine, columns, tables)
    finally:
        engine.dispose()


def _measure_on(engine: Any, columns: dict[str, list[str]],
                tables: set[str] | None) -> dict[str, Any]:
    """Row counts of `tables` (all when None) and fingerprints of `columns`."""
    with engine.connect() as conn:
        counts = database_dump.row_counts(conn)
        present = database_dump.columns_of(conn)
        kept = {t: [c for c in names if c not in MOVED.get(t, set())]
                for t, names in columns.items()}
        missing = {t: sorted(set(names) - present.get(t, set())) for t, names in kept.items()}
        assert not any(missing.values()), f"columns lost by the upgrade: {missing}"
        lost = (tables or set()) - set(counts)
        assert not lost, f"tables lost by the upgrade: {sorted(lost)}"
        return {"counts": {t: n for t, n in counts.items() if tables is None or t in tables},
                "fingerprints": database_dump.fingerprints(conn, kept)}


def _report(url: str, label: str, now: str, tmp_path: Path) -> Any:
    app = create_app("testing", DATABASE_URL=url,
                     SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    out = tmp_path / f"{label}.json"
    result = app.test_cli_runner().invoke(args=[
        "reports", "sector", "--cycle", label, "--format", "json", "--out", str(out),
        "--now", now])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def _rows_outside_the_first_partnership(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            owned = [t for t, names in database_dump.columns_of(conn).items()
                     if "partnership_id" in names]
            assert len(owned) >= 20 and conn.scalar(text("SELECT count(*) FROM partnerships")) == 1
            counts = {t: conn.scalar(text(
                f"SELECT count(*) FROM {t} WHERE partnership_id != :first"),
                {"first": FIRST_PARTNERSHIP_ID}) for t in owned}
    finally:
        engine.dispose()
    return {t: n for t, n in counts.items() if n}
