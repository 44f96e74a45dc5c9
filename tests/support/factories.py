"""Small factories that build data through the services (or plainly where no rule applies)."""

from __future__ import annotations

import itertools
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Contact, Role, Sector, User
from portal.services import tools
from portal.services.accounts import hash_password

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache: dict[tuple[str, bool], str] = {}
# Test users' passwords are real argon2id hashes at the lowest cost: checking one takes about a
# millisecond instead of a third of a second, and the cost is read from the hash, so every sign-in
# in the suite (a test client's, a browser's, a gunicorn worker's) goes through the real check
# quickly. Tests that time the check itself ask for the production cost (`production_hash=True`).
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def password_hash(password: str, *, production: bool = False) -> str:
    key = (password, production)
    if key not in _hash_cache:
        _hash_cache[key] = hash_password(password) if production else _CHEAP.hash(password)
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
         production_hash: bool = False) -> User:
    role = Role(role)
    n = next(_counter)
    made = User(email=email or f"{role.value}{n}@example.org", role=role.value, agency=agency,
                password_hash=password_hash(password, production=production_hash) if password
                else None,
                name=name or f"{role.value.capitalize()} {n}")
    session.add(made)
    session.flush()
    return made


def tool(session: Session) -> Any:
    return tools.load_tool(session).tool_version


def earlier_tool(session: Session) -> Any:
    """The 2026.1 edition: its short variant is the full tool's questions, a page per standard."""
    return tools.load_tool(session, tools.TOOLS_DIR / "compact-audit-2026.1.json").tool_version
