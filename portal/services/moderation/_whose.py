"""Whose visit it is: an agency sees only the visits to it, a board or committee member only the
visits they attend; the partnerships manager attends them all."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Role, User, Visit
from portal.services.common import NotFound

from ._visits import get_visit


def visit_for_agency(session: Session, visit_id: int, agency_id: int | None) -> Visit:
    """A visit to this agency, or NotFound (never another agency's)."""
    visit = get_visit(session, visit_id)
    if agency_id is None or visit.return_.agency_id != agency_id:
        raise NotFound("No such visit")
    return visit


def visit_for_attendee(session: Session, visit_id: int, user: User) -> Visit:
    """A visit this user attends (the manager attends every visit), or NotFound."""
    visit = get_visit(session, visit_id)
    if user.role != Role.MANAGER.value and visit.member_id != user.id:
        raise NotFound("No such visit")
    return visit
