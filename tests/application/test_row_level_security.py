"""Row-level security on PostgreSQL (issue 28, step 4; docs/architecture.md, "Defence in depth
on PostgreSQL"): the app connects as a role that owns no table, every transaction names its
partnership, and the database itself keeps each partnership's rows from a query that forgets to
filter by partnership."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from portal import create_app, migrate
from portal.db import get_db, set_scope
from portal.models import (
    FIRST_PARTNERSHIP_ID,
    AuditEvent,
    Base,
    Cycle,
    Partnership,
    PartnershipOwned,
    Return,
)
from portal.row_security import POLICY, READ_ACROSS
from portal.scoping import current_scope
from tests.support import APP_ROLE, BACKEND, app_role_url, factories, owner_engine, statements
from tests.support.returns_helpers import issue

postgres = pytest.mark.postgres_only


def _owned_tables() -> set[str]:
    """The owned tables under the policy: every one but those read across partnerships."""
    return {m.local_table.name for m in Base.registry.mappers  # type: ignore[attr-defined]
            if issubclass(m.class_, PartnershipOwned)} - set(READ_ACROSS)


@pytest.fixture
def owner(database_owner_url: str) -> Engine:
    """The tables' owner, which the policies do not hold (a superuser in the tests)."""
    return owner_engine(database_owner_url)


@pytest.fixture
def two_partnerships(db: Session, owner: Engine) -> Iterator[tuple[int, int, int]]:
    """Partnership 1 with a cycle of three returns; partnership 2 holding one of them, its
    cycle, and an audit event each, moved there by the owner (as a second tenant's data)."""
    factories.tool(db)
    agencies = [factories.agency(db) for _ in range(3)]
    cycle = issue(db)
    db.add(AuditEvent(action="first.thing", entity_type="cycle", entity_id=cycle.id))
    db.commit()
    theirs = db.scalar(select(Return.id).where(Return.agency_id == agencies[2].id))
    with owner.begin() as conn:
        second = conn.scalar(insert(Partnership).values(
            slug="westshire", name="Westshire SCP", help_email="help@west.example",
            dpo_email="").returning(Partnership.id))
        conn.execute(update(Return).where(Return.id == theirs).values(partnership_id=second))
        conn.execute(insert(AuditEvent).values(
            partnership_id=second, action="second.thing", entity_type="cycle", entity_id=0,
            detail={}))
        assert conn.scalar(select(func.count()).select_from(Return)) == 3  # the owner sees all
    assert theirs is not None and second is not None
    yield FIRST_PARTNERSHIP_ID, second, theirs


@postgres
def test_every_partnership_owned_table_is_under_its_policy(db: Session) -> None:
    secured = db.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.qual, p.with_check "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_policies p ON p.tablename = c.relname AND p.policyname = :policy "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity"),
        {"policy": POLICY}).all()
    assert {row.relname for row in secured} == _owned_tables()
    for row in secured:
        assert row.relforcerowsecurity, row.relname
        assert "portal.partnership" in row.qual and row.qual == row.with_check, row.relname


@postgres
def test_the_app_connects_as_a_role_that_owns_nothing_and_bypasses_nothing(db: Session) -> None:
    role = db.execute(text("SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
                           "WHERE rolname = current_user")).one()
    assert (role.name, role.rolsuper, role.rolbypassrls) == (APP_ROLE, False, False)
    owned = db.scalar(text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user"))
    assert owned == 0
    with pytest.raises(ProgrammingError, match="must be owner"):
        db.execute(text("ALTER TABLE returns DISABLE ROW LEVEL SECURITY"))
    db.rollback()


@postgres
def test_a_query_that_forgets_its_partnership_sees_only_the_scoped_ones_rows(
        app: Flask, two_partnerships: tuple[int, int, int]) -> None:
    first, second, theirs = two_partnerships
    everyone = (select(Return.id, Return.partnership_id)  # no .where(partnership_id == ...)
                .order_by(Return.id))
    with get_db(app).transaction(partnership_id=first) as session:
        mine = session.execute(everyone).all()
        events = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        theirs_by_id = session.get(Return, theirs)
    assert len(mine) == 2 and {r.partnership_id for r in mine} == {first}
    assert events == ["cycle.opened", "first.thing"] and theirs_by_id is None
    with get_db(app).transaction(partnership_id=second) as session:
        assert {r.partnership_id for r in session.execute(everyone)} == {second}
        assert session.scalars(select(AuditEvent.action)).all() == ["second.thing"]
        assert session.scalars(select(Cycle)).all() == []  # its cycle stayed in the first


@postgres
def test_a_row_for_another_partnership_is_refused(
        app: Flask, two_partnerships: tuple[int, int, int]) -> None:
    first, second, _theirs = two_partnerships
    with pytest.raises(ProgrammingError, match="row-level security"), \
            get_db(app).transaction(partnership_id=first) as session:
        session.add(AuditEvent(partnership_id=second, action="sneaked.in", entity_type="cycle"))
        session.flush()
    with pytest.raises(ProgrammingError, match="row-level security"), \
            get_db(app).transaction(partnership_id=first) as session:
        session.execute(update(Return).values(partnership_id=second))  # moving rows out
    with get_db(app).transaction(partnership_id=first) as session:  # neither happened
        assert session.scalar(select(func.count()).select_from(Return)) == 2
        assert session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
            "cycle.opened", "first.thing"]


@postgres
def test_with_several_partnerships_a_session_that_names_none_sees_no_rows(
        app: Flask, db: Session, owner: Engine) -> None:
    factories.tool(db)
    factories.agency(db)
    issue(db)
    db.commit()
    count_returns = select(func.count()).select_from(Return)
    with get_db(app).transaction() as session:  # one partnership: it is the one
        assert session.scalar(count_returns) == 1
    with owner.begin() as conn:
        conn.execute(insert(Partnership).values(slug="westshire", name="Westshire SCP",
                                                help_email="help@west.example", dpo_email=""))
    with get_db(app).transaction() as session:
        assert session.scalar(count_returns) == 0
        assert session.scalar(select(func.count()).select_from(Partnership)) == 2
        with pytest.raises(ProgrammingError, match="row-level security"):
            session.add(AuditEvent(action="nobody.s", entity_type="cycle"))
            session.flush()
    with get_db(app).transaction() as session:
        assert session.scalar(count_returns) == 0
        set_scope(session, FIRST_PARTNERSHIP_ID)  # switches the open transaction
        assert session.scalar(count_returns) == 1


def test_the_scope_costs_one_statement_a_transaction_on_postgresql_and_none_on_sqlite(
        app: Flask) -> None:
    """The SET is the transaction's first statement on PostgreSQL, the only partnership worked
    out inside it; naming the partnership the transaction already shows costs nothing more."""
    engine = get_db(app).engine
    with statements(engine) as seen, app.test_request_context("/"):
        scope = current_scope()
        current_scope()
    with statements(engine) as named, get_db(app).transaction() as session:
        session.scalar(select(func.count()).select_from(Return))
        set_scope(session, scope.id)
        session.scalar(select(func.count()).select_from(Return))
    verbs = [" ".join(s.split()[:2]) for s in [*seen, *named]]
    setting = ["SELECT set_config('portal.partnership',"] if BACKEND == "postgresql" else []
    assert verbs == [*setting, "SELECT partnerships.id,",
                     *setting, "SELECT count(*)", "SELECT count(*)"]


@postgres
def test_flask_db_upgrade_migrates_as_the_owner_and_grants_the_apps_role_rows_only(
        postgres_url: str) -> None:
    app_url = app_role_url(postgres_url)  # the role, on a database with no table yet
    app = create_app("testing", DATABASE_URL=app_url, DATABASE_OWNER_URL=postgres_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"The app's role {APP_ROLE} may read and write rows" in result.output
    with get_db(app).transaction() as session:
        assert session.scalar(select(Partnership.slug)) is not None
        assert session.scalar(select(func.count()).select_from(Return)) == 0
        assert session.scalar(text("SELECT current_user")) == APP_ROLE
    with pytest.raises(ProgrammingError, match="permission denied"), \
            get_db(app).transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'x'"))
    with pytest.raises(ProgrammingError, match="permission denied"), \
            get_db(app).transaction() as session:
        session.execute(text("CREATE TABLE mine (id int)"))
    get_db(app).engine.dispose()


def test_there_is_no_role_to_grant_to_on_sqlite_or_with_one_role(tmp_path: Path) -> None:
    sqlite = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    assert migrate.grant_app_role(sqlite, sqlite) is None
    one = "postgresql+psycopg://portal@127.0.0.1/portal"
    assert migrate.grant_app_role(one, one) is None
