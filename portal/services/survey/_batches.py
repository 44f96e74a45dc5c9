"""Bursts and headcounts: the manager's tools against stuffing (docs/survey.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, CursorResult, Select, func, select, update
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, SurveyLink, SurveyResponse
from portal.services import audit
from portal.services.common import Invalid, NotFound, Problem

HEADCOUNT_LIMIT = 100_000
REASON_LIMIT = 500


@dataclass(frozen=True)
class FlaggedBatch:
    """Responses to one agency's link flagged as a burst on one day."""

    agency_id: int
    agency: str
    flag: str
    responses: int
    set_aside: str | None  # the reason, once a manager has set the batch aside


@dataclass(frozen=True)
class LinkFill:
    """How full one agency's survey link is: the responses it has taken against its cap."""

    agency_id: int
    agency: str
    cap: int
    taken: int
    declared: bool  # False while the default cap holds

    @property
    def full(self) -> bool:
        return self.taken >= self.cap


def flagged_batches(session: Session, cycle: Cycle) -> list[FlaggedBatch]:
    """Every flagged batch of the cycle, by agency name and day."""
    rows = session.execute(
        select(SurveyResponse.agency_id, Agency.name, SurveyResponse.flag, func.count(),
               func.max(SurveyResponse.set_aside))
        .join(Agency, Agency.id == SurveyResponse.agency_id)
        .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.flag.is_not(None))
        .group_by(SurveyResponse.agency_id, Agency.name, SurveyResponse.flag)
        .order_by(Agency.name, SurveyResponse.flag)
    )
    return [FlaggedBatch(a, name, str(flag), int(n), reason) for a, name, flag, n, reason in rows]


def set_aside_batch(session: Session, cycle: Cycle, *, agency_id: int, flag: str,
                    reason: str, user_id: int | None = None) -> int:
    """Set a flagged batch aside with a reason: its responses count in no figure, pack or
    sample. How many responses it holds; NotFound when there is no such batch."""
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid([Problem("reason", "Enter why you are setting these answers aside")])
    if len(reason) > REASON_LIMIT:
        raise Invalid([Problem("reason", f"Reason must be {REASON_LIMIT} characters or fewer")])
    done: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
        update(SurveyResponse)
        .where(SurveyResponse.cycle_id == cycle.id, SurveyResponse.agency_id == agency_id,
               SurveyResponse.flag == flag)
        .values(set_aside=reason).execution_options(synchronize_session=False)
    )
    if not done.rowcount:
        raise NotFound("No such flagged batch")
    audit.record(session, action="survey.set_aside", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, agency_id=agency_id, flag=flag, responses=int(done.rowcount),
                 reason=reason)
    return int(done.rowcount)


def link_headcount(session: Session, cycle: Cycle, agency_id: int) -> int | None:
    """The headcount the agency declared for its link in the cycle, if it has."""
    return session.scalar(select(SurveyLink.headcount).where(SurveyLink.cycle_id == cycle.id,
                                                             SurveyLink.agency_id == agency_id))


FillRows = Select[int, str, int, int, bool]  # agency id, name, cap, taken, declared


def _fill_query(cycle: Cycle, default_cap: int) -> tuple[FillRows, ColumnElement[int]]:
    cap = func.coalesce(SurveyLink.headcount, default_cap)
    return (select(SurveyLink.agency_id, Agency.name, cap, SurveyLink.taken,
                   SurveyLink.headcount.is_not(None))
            .join(Agency, Agency.id == SurveyLink.agency_id)
            .where(SurveyLink.cycle_id == cycle.id), cap)


def links_nearly_full(session: Session, cycle: Cycle, *, default_cap: int,
                      share: float = 0.9) -> list[LinkFill]:
    """The cycle's links that have taken at least `share` of their cap, by agency name: the
    ones whose staff may soon be turned away, for a manager to raise."""
    query, cap = _fill_query(cycle, default_cap)
    rows = session.execute(query.where(SurveyLink.taken >= cap * share).order_by(Agency.name))
    return [LinkFill(a, name, int(c), int(t), bool(d)) for a, name, c, t, d in rows]


def link_fill(session: Session, cycle: Cycle, agency_id: int, *, default_cap: int) -> LinkFill:
    """How full one agency's link is; NotFound when it has no link in the cycle."""
    query, _ = _fill_query(cycle, default_cap)
    row = session.execute(query.where(SurveyLink.agency_id == agency_id)).one_or_none()
    if row is None:
        raise NotFound("That agency has no survey link in this cycle")
    a, name, c, t, d = row
    return LinkFill(a, name, int(c), int(t), bool(d))


def declare_headcount(session: Session, cycle: Cycle, *, agency_id: int, headcount: int,
                      by_manager: bool, user_id: int | None = None) -> None:
    """Set the most responses the agency's link takes: the agency declares it once, a manager
    can raise it (never below the responses already taken)."""
    link = session.scalar(select(SurveyLink).where(SurveyLink.cycle_id == cycle.id,
                                                   SurveyLink.agency_id == agency_id))
    if link is None:
        raise NotFound("That agency has no survey link in this cycle")
    if not 1 <= headcount <= HEADCOUNT_LIMIT:
        raise Invalid([Problem("headcount",
                               f"Enter a number of staff from 1 to {HEADCOUNT_LIMIT:,}")])
    if link.headcount is not None and not by_manager:
        raise Invalid([Problem("headcount", "Your headcount is set: ask the partnership to "
                                            "raise it")])
    if headcount < (link.headcount or 0) or headcount < link.taken:
        raise Invalid([Problem("headcount", "The headcount can only be raised")])
    link.headcount = headcount
    audit.record(session, action="survey.headcount", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, agency_id=agency_id, headcount=headcount, by_manager=by_manager)
    session.flush()
