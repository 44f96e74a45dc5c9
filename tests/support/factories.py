"""Small factories that build data through the services (or plainly where no rule applies)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from portal.models import (
    FIRST_PARTNERSHIP_ID,
    Agency,
    Base,
    Contact,
    Partnership,
    PartnershipMember,
    Role,
    Sector,
    ToolVersion,
    User,
    utcnow,
)
from portal.services import tools
from portal.services.accounts import _passwords

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache: dict[tuple[str, bool], str] = {}
# Test users' passwords are real argon2id hashes at the lowest cost: checking one takes about a
# millisecond instead of a third of a second, and the cost is read from the hash, so every sign-in
# in the suite (a test client's, a browser's, a gunicorn worker's) goes through the real check
# quickly. Tests that time the check itself ask for the production cost (`production_hash=True`).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
# The app's own hasher (its production parameters), taken before the suite swaps in the cheap one
# (tests/conftest.py, `_lowest_password_cost`).
PRODUCTION_HASHER = _passwords._hasher


def password_hash(password: str, *, production: bool = False) -> str:
    key = (password, production)
    if key not in _hash_cache:
        _hash_cache[key] = (PRODUCTION_HASHER if production else CHEAP_HASHER).hash(password)
    return _hash_cache[key]


def sector(session: Session, name: str = "Health") -> Sector:
    found = session.scalar(select(Sector).where(Sector.name == name))
    assert found is not None, f"no sector {name}"
    return found


def agency(session: Session, name: str | None = None, *, sector_name: str = "Health",
           cohort: str = "A", variant: str = "full", email: str | None = None,
           active: bool = True) -> Agency:
    n = next(_counter)
    name = name or f"Agency {n}"
    made = Agency(name=name, sector=sector(session, sector_name), cohort=cohort, variant=variant,
                  active=active)
    made.contacts = [Contact(name=f"Lead {n}", email=email or f"lead{n}@agency{n}.example.org",
                             is_primary=True)]
    session.add(made)
    session.flush()
    return made


def user(session: Session, role: Role | str = Role.MANAGER, *, agency: Agency | None = None,
         email: str | None = None, password: str | None = PASSWORD, name: str = "",
         production_hash: bool = False, partnership_id: int = FIRST_PARTNERSHIP_ID) -> User:
    """A person with `role` (and `agency`) in the partnership, placed in it."""
    role = Role(role)
    n = next(_counter)
    made = User(email=email or f"{role.value}{n}@example.org",
                password_hash=password_hash(password, production=production_hash) if password
                else None,
                name=name or f"{role.value.capitalize()} {n}")
    session.add(made)
    session.flush()
    return made.place(partnership_id, membership(session, made, role, agency=agency,
                                                 partnership_id=partnership_id))


def membership(session: Session, person: User, role: Role | str, *, partnership_id: int,
               agency: Agency | None = None) -> PartnershipMember:
    """`person`'s role (and agency) in another partnership."""
    made = PartnershipMember(user_id=person.id, partnership_id=partnership_id,
                             role=Role(role).value, agency=agency)
    session.add(made)
    session.flush()
    return made


def partnership(session: Session, slug: str, name: str | None = None) -> Partnership:
    """A second (third...) partnership on the service."""
    made = Partnership(slug=slug, name=name or f"{slug.capitalize()} Partnership",
                       help_email=f"help@{slug}.example.org")
    session.add(made)
    session.flush()
    return made


def tool(session: Session) -> Any:
    return _tool(session, tools.CURRENT_EDITION)


def earlier_tool(session: Session) -> Any:
    """The 2026.1 edition: its short variant is the full tool's questions, a page per standard."""
    return _tool(session, tools.TOOLS_DIR / "compact-audit-2026.1.json")


# A tool version's rows, by table, in the order they are inserted (parents first).
TOOL_TABLES = [Base.metadata.tables[name] for name in (
    "tool_versions", "standards", "questions", "grade_descriptors", "survey_statements",
    "survey_statement_questions")]
_loaded: dict[Path, dict[str, list[dict[str, Any]]]] = {}


def _tool(session: Session, path: Path) -> Any:
    """The edition at `path` loaded by the service (`flask tools load`) the first time in this
    process; every later time, into a database holding no tool yet, a copy of the rows that
    load stored, ids and all: the same content for a fortieth of the cost (the load validates
    the file and flushes a question at a time: about 80 ms, in nearly every test)."""
    empty = session.scalar(select(ToolVersion.id).limit(1)) is None
    rows = _loaded.get(path)
    if rows is None or not empty:
        made = tools.load_tool(session, path).tool_version
        if rows is None and empty:
            _loaded[path] = {t.name: [dict(r) for r in session.execute(select(t)).mappings()]
                             for t in TOOL_TABLES}
        return made
    for table in TOOL_TABLES:
        copied = rows[table.name]
        if table.name == "tool_versions":
            copied = [{**row, "loaded_at": utcnow()} for row in copied]
        if copied:  # an empty list would insert one row of defaults
            session.execute(insert(table), copied)
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequences(session, rows)
    version_id = rows["tool_versions"][0]["id"]
    return session.get(ToolVersion, version_id)


def _advance_sequences(session: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Rows copied with their ids leave PostgreSQL's id sequences behind: set each past them."""
    for table in TOOL_TABLES:
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        if not rows[table.name]:
            continue
        highest = max(row[keys[0].name] for row in rows[table.name])
        session.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                        {"t": table.name, "c": keys[0].name, "v": highest})
