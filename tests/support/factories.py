"""Small factories that build data through the services (or plainly where no rule applies)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Contact, Role, Sector, User
from portal.services import tools
from portal.services.accounts import hash_password

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


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
         email: str | None = None, password: str | None = PASSWORD, name: str = "") -> User:
    role = Role(role)
    n = next(_counter)
    if password and password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    made = User(email=email or f"{role.value}{n}@example.org", role=role.value, agency=agency,
                password_hash=_hash_cache[password] if password else None,
                name=name or f"{role.value.capitalize()} {n}")
    session.add(made)
    session.flush()
    return made


def tool(session: Session) -> Any:
    return tools.load_tool(session).tool_version


def earlier_tool(session: Session) -> Any:
    """The 2026.1 edition: its short variant is the full tool's questions, a page per standard."""
    return tools.load_tool(session, tools.TOOLS_DIR / "compact-audit-2026.1.json").tool_version
