"""Names and addresses match whatever their case, for every letter, on SQLite as on PostgreSQL
(SQLite's own lower() folds only A-Z; the portal gives it Python's)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.accounts import LinkSettings, create_user
from portal.services.common import Invalid
from portal.services.partnerships import only_scope
from portal.services.register import AgencyDetails, AgencyFilter, add_agency, search_agencies
from portal.services.returns import find_returns
from tests.support import factories

POLISH = "Żłobek Łódź Ŵyn"
LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership="Test Partnership", help_email="help@example.org")


def _details(db: Session, name: str) -> AgencyDetails:
    return AgencyDetails(name=name, sector_id=factories.sector(db, "Health").id,
                         contact_name="Ania Nowak", email="ania@zlobek.example.org")


def test_an_agency_differing_only_in_the_case_of_non_ascii_letters_is_refused(db: Session) -> None:
    add_agency(db, _details(db, POLISH))
    with pytest.raises(Invalid) as refused:
        add_agency(db, _details(db, POLISH.upper()))
    assert "already in the register" in str(refused.value.problems)


def test_the_unique_index_itself_folds_non_ascii_letters(db: Session) -> None:
    factories.agency(db, POLISH.lower())
    db.flush()
    with pytest.raises(IntegrityError):
        factories.agency(db, POLISH.upper())
        db.flush()
    db.rollback()


def test_searching_in_any_case_finds_a_polish_agency_and_its_returns(db: Session) -> None:
    factories.agency(db, POLISH)
    db.flush()
    for query in ("ŁÓDŹ", "łódź", "ŵYN"):
        found, total = search_agencies(db, AgencyFilter(query=query))
        assert ([a.name for a in found], total) == ([POLISH], 1), query
        assert find_returns(db, text=query, status="in_progress") == ([], 0)


def test_a_second_user_with_an_address_differing_only_in_case_is_refused(db: Session) -> None:
    factories.user(db, Role.MANAGER, email="ŁUKASZ.ŻAK@example.org")
    db.flush()
    with pytest.raises(Invalid) as refused:
        create_user(db, email="łukasz.żak@example.org", role=Role.MANAGER.value, links=LINKS,
                    now=datetime(2026, 12, 3, 9), scope=only_scope(db))
    assert "already exists" in str(refused.value.problems)
