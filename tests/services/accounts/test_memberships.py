"""People have roles per partnership (issue 28): the same person is the manager of one
partnership and a Board member (moderator) of another, and reads as the one or the other by the
partnership they were placed in; lists, look-ups and role queries stay within one partnership."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.db import set_scope
from portal.models import FIRST_PARTNERSHIP_ID, NO_ROLE, PartnershipMember, Role, User
from portal.services import accounts, moderation, partnerships
from portal.services.common import Invalid, NotFound, Scope
from tests.support import factories

NOW = datetime(2026, 12, 3, 9)
LINKS = accounts.LinkSettings(secret_key="k" * 40, base_url="https://portal.example.org",
                              hours=72, partnership="Anyshire", help_email="help@example.org")


def _two_partnerships(db: Session) -> tuple[Scope, Scope]:
    factories.partnership(db, "westshire")
    db.commit()
    return partnerships.scope_of(db, "anyshire"), partnerships.scope_of(db, "westshire")


def _manager_here_board_there(db: Session, a: Scope, b: Scope) -> User:
    person = factories.user(db, Role.MANAGER, email="sam@example.org", partnership_id=a.id)
    factories.membership(db, person, Role.MODERATOR, partnership_id=b.id)
    db.commit()
    return person


def test_a_person_has_the_role_of_the_partnership_they_are_placed_in(db: Session) -> None:
    a, b = _two_partnerships(db)
    person = _manager_here_board_there(db, a, b)
    assert accounts.place_in(db, person, scope=a).role == Role.MANAGER.value
    assert accounts.place_in(db, person, scope=b).role == Role.MODERATOR.value
    assert accounts.get_user(db, person.id, scope=a).role == "manager"
    assert accounts.get_user(db, person.id, scope=b).role == "moderator"


def test_the_signed_in_session_reads_the_role_of_the_requests_partnership(db: Session) -> None:
    a, b = _two_partnerships(db)
    person = _manager_here_board_there(db, a, b)
    token = accounts.start_session(db, person, now=NOW, lifetime=timedelta(hours=8))
    db.commit()
    for scope, role in ((a, "manager"), (b, "moderator")):
        db.expunge_all()  # a fresh request: nothing placed yet
        user = accounts.session_user(db, token, now=NOW, idle=timedelta(hours=1), scope=scope)
        assert user is not None and (user.role, user.placed_in) == (role, scope.id)
    third = partnerships.scope_of(db, factories.partnership(db, "eastshire").slug)
    db.expunge_all()
    outsider = accounts.session_user(db, token, now=NOW, idle=timedelta(hours=1), scope=third)
    assert outsider is not None
    assert (outsider.membership, outsider.role, outsider.agency_id) == (None, NO_ROLE, None)


def test_an_agency_users_agency_belongs_to_their_membership(db: Session) -> None:
    a, b = _two_partnerships(db)
    police = factories.agency(db, "Anyshire Police")
    lead = factories.user(db, Role.AGENCY, agency=police, partnership_id=a.id)
    factories.membership(db, lead, Role.AGENCY, agency=police, partnership_id=b.id)
    db.commit()
    assert accounts.get_user(db, lead.id, scope=a).agency == police
    assert accounts.get_user(db, lead.id, scope=b).agency_id == police.id


def test_lists_and_look_ups_show_one_partnerships_people(db: Session) -> None:
    a, b = _two_partnerships(db)
    person = _manager_here_board_there(db, a, b)
    only_a = factories.user(db, Role.COMMITTEE, email="ash@example.org", partnership_id=a.id)
    only_b = factories.user(db, Role.MANAGER, email="bea@example.org", partnership_id=b.id)
    db.commit()
    listed_a = [(u.email, u.role) for u in accounts.list_users(db, scope=a)]
    listed_b = [(u.email, u.role) for u in accounts.list_users(db, scope=b)]
    assert listed_a == [("ash@example.org", "committee"), ("sam@example.org", "manager")]
    assert listed_b == [("bea@example.org", "manager"), ("sam@example.org", "moderator")]
    with pytest.raises(NotFound):
        accounts.get_user(db, only_b.id, scope=a)
    with pytest.raises(NotFound):
        accounts.get_user(db, only_a.id, scope=b)
    assert person in accounts.unused_accounts(db, now=NOW + timedelta(days=400), scope=b)
    assert only_a not in accounts.unused_accounts(db, now=NOW + timedelta(days=400), scope=b)


def test_role_queries_pick_people_by_their_role_in_the_named_partnership(db: Session) -> None:
    a, b = _two_partnerships(db)
    person = _manager_here_board_there(db, a, b)
    assert moderation.managers(db, partnership_id=a.id) == [person]
    assert moderation.members(db, partnership_id=a.id) == []
    assert moderation.members(db, partnership_id=b.id) == [person]
    assert moderation.managers(db, partnership_id=b.id) == []


def test_changing_a_role_changes_it_in_one_partnership(db: Session) -> None:
    a, b = _two_partnerships(db)
    person = _manager_here_board_there(db, a, b)
    boss = factories.user(db, Role.MANAGER, partnership_id=b.id)
    db.commit()
    set_scope(db, b.id)  # a request in b (on PostgreSQL its rows only: row-level security)
    accounts.change_role(db, accounts.get_user(db, person.id, scope=b), role="committee",
                         agency_name=None, by_user_id=boss.id)
    db.commit()
    roles = dict(db.execute(select(PartnershipMember.partnership_id, PartnershipMember.role)
                            .where(PartnershipMember.user_id == person.id)).all())
    assert roles == {a.id: "manager", b.id: "committee"}


def test_creating_a_user_who_has_an_account_adds_them_to_the_partnership(db: Session) -> None:
    a, b = _two_partnerships(db)
    set_scope(db, a.id)
    made = accounts.create_user(db, email="Kim@Example.org", role="manager", links=LINKS,
                                now=NOW, scope=a)
    set_scope(db, b.id)
    again = accounts.create_user(db, email="kim@example.org", role="committee", links=LINKS,
                                 now=NOW, scope=b)
    db.commit()
    assert again.id == made.id and (again.role, again.placed_in) == ("committee", b.id)
    assert db.scalar(select(User.id).where(User.email == "kim@example.org")) == made.id
    with pytest.raises(Invalid, match="already exists"):
        accounts.create_user(db, email="kim@example.org", role="moderator", links=LINKS,
                             now=NOW, scope=b)
    assert [m.partnership_id for m in db.get(User, made.id).memberships] == [a.id, b.id]


def test_the_database_holds_one_membership_a_partnership_with_an_agency_for_agency_users(
        db: Session) -> None:
    person = factories.user(db, Role.MANAGER)
    db.commit()
    with pytest.raises(IntegrityError):
        factories.membership(db, person, Role.COMMITTEE, partnership_id=FIRST_PARTNERSHIP_ID)
    db.rollback()
    other = factories.partnership(db, "westshire")
    with pytest.raises(IntegrityError):
        factories.membership(db, person, Role.AGENCY, partnership_id=other.id)
