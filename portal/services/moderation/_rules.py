"""The scheduling rules, in one place: every way a visit gets a date asks these, whether the
manager sets it directly, schedules many visits at once, offers the agency dates, or the agency
chooses one of them.

A visit can be given a date while it is planned or scheduled (not completed, not cancelled). It
needs a place, a start in the future, a length of 15 minutes to 8 hours, an active partnerships
manager and an active Board or committee member; and the member must be free: the visit's time,
[start, start + length), must not overlap any other scheduled visit of that member.

Two people scheduling the same member at the same moment (two agencies choosing dates, two
managers) could each check the diary before the other's visit is saved, and both succeed. So the
one command that schedules takes `lock_diaries` first and checks afterwards: the check and the
write cannot interleave with another scheduler of that member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import Agency, Return, Role, User, Visit, VisitStatus
from portal.services import accounts
from portal.services.common import Problem, text_problems, to_uk

OPEN_STATUSES = (VisitStatus.PLANNED.value, VisitStatus.SCHEDULED.value)
MIN_MINUTES, MAX_MINUTES = 15, 8 * 60


@dataclass(frozen=True)
class VisitPlan:
    """What scheduling a visit asks for (times naive UTC)."""

    visit: Visit
    starts_at: datetime
    place: str
    member_id: int | None
    manager_id: int | None = None
    duration_minutes: int = 120

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Clash:
    """The other visit a member is already at."""

    visit_id: int
    agency: str


@dataclass(frozen=True)
class Words:
    """How a problem is put for whoever reads it.

    `agency`: name the visit's agency (a page of many visits, an offer). `slots`: speak of the
    offered date ("10 June 2031 at 10:00 has passed"). `private`: the agency reads it, so never
    name another agency or the member."""

    agency: str | None = None
    slots: bool = False
    private: bool = False

    @property
    def visit(self) -> str:
        return f"the visit to {self.agency}" if self.agency else "the visit"

    def past(self, starts_at: datetime) -> str:
        if self.slots:
            then = "choose another date" if self.private else "choose a date in the future"
            return f"{when_words(starts_at)} has passed: {then}"
        if self.agency:
            return f"The date of the visit to {self.agency} must be in the future"
        return "The visit date must be in the future"

    def taken(self, starts_at: datetime, member: str, clash: Clash) -> str:
        if self.private:
            return f"{when_words(starts_at)} is taken: choose another date"
        return (f"{when_words(starts_at)} is taken: {member} is visiting {clash.agency} "
                "at that time")

    def member(self) -> str:
        if self.private:
            return "This visit has no Board or committee member to attend: contact the partnership"
        if self.agency:
            return f"Select the Board or committee member who will visit {self.agency}"
        return "Select the Board or committee member who will attend"


DIRECT = Words()


def when_words(starts_at: datetime) -> str:
    """A naive UTC start as people read it: Tuesday 10 June 2031 at 10:00 (UK time)."""
    local = to_uk(starts_at)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


# --- the rules ----------------------------------------------------------------------------------

def closed_problem(visit: Visit, words: Words = DIRECT) -> str | None:
    """Why the visit cannot be given a date as it stands (completed or cancelled), or None."""
    if visit.status in OPEN_STATUSES:
        return None
    subject = f"The visit to {words.agency}" if words.agency else "This visit"
    return f"{subject} is {visit.status}: it cannot be scheduled"


def plan_problems(
    session: Session, plan: VisitPlan, *, now: datetime, words: Words = DIRECT,
    earlier: Sequence[VisitPlan] = (),
) -> list[Problem]:
    """What is wrong with the plan, by the schedule form's field names (day, place, duration,
    manager, member); [] when it can go ahead. `earlier`: plans of the same batch before it."""
    problems = text_problems("place", plan.place, label="Where the visit will take place",
                             kind="line", limit=300)  # it goes into calendar files and emails
    if not plan.place.strip():
        problems.append(Problem("place", f"Enter where {words.visit} will take place"))
    if not MIN_MINUTES <= plan.duration_minutes <= MAX_MINUTES:
        problems.append(Problem("duration", "The visit must last between 15 minutes and 8 hours"))
    if not _active(session, plan.manager_id, Role.MANAGER, plan.visit.partnership_id):
        problems.append(Problem("manager", "Select the partnerships manager who will attend"))
    if not _active(session, plan.member_id, Role.MODERATOR, plan.visit.partnership_id):
        problems.append(Problem("member", words.member()))
    if when := when_problem(session, plan, now=now, words=words, earlier=earlier):
        problems.append(when)
    return problems


def when_problem(
    session: Session, plan: VisitPlan, *, now: datetime, words: Words = DIRECT,
    earlier: Sequence[VisitPlan] = (),
) -> Problem | None:
    """The start is in the past, or the member is at another visit then (field `day`)."""
    if plan.starts_at <= now:
        return Problem("day", words.past(plan.starts_at))
    clash = member_clash(session, plan, earlier)
    if clash is None:
        return None
    member = session.get(User, plan.member_id) if plan.member_id else None
    name = (member.name or member.email) if member else "The member"
    return Problem("day", words.taken(plan.starts_at, name, clash))


def member_clash(
    session: Session, plan: VisitPlan, earlier: Sequence[VisitPlan] = (),
) -> Clash | None:
    """Another visit the plan's member is at during [start, end): one of the `earlier` plans of a
    batch, or a scheduled visit (the visit itself aside).

    Read as columns, not as Visit objects: a Visit already in the session would come back with
    the values it was loaded with, not those another transaction has just committed."""
    if plan.member_id is None:
        return None
    for other in earlier:
        if (other.member_id == plan.member_id and other.visit.id != plan.visit.id
                and other.starts_at < plan.ends_at and plan.starts_at < other.ends_at):
            return Clash(other.visit.id, other.visit.return_.agency.name)
    rows = session.execute(
        select(Visit.id, Visit.starts_at, Visit.duration_minutes, Agency.name)
        .join(Return, Visit.return_id == Return.id).join(Agency, Return.agency_id == Agency.id)
        .where(Visit.member_id == plan.member_id, Visit.id != plan.visit.id,
               Visit.status == VisitStatus.SCHEDULED.value, Visit.starts_at < plan.ends_at,
               # no visit lasts longer than MAX_MINUTES, so none starting earlier reaches us
               Visit.starts_at > plan.starts_at - timedelta(minutes=MAX_MINUTES))
        .order_by(Visit.starts_at, Visit.id))
    for visit_id, starts_at, minutes, agency in rows:
        if starts_at is not None and starts_at + timedelta(minutes=minutes) > plan.starts_at:
            return Clash(visit_id, agency)
    return None


def _active(session: Session, user_id: int | None, role: Role, partnership_id: int) -> bool:
    """An active user with `role` in the visit's partnership."""
    return user_id is not None and bool(
        session.scalar(accounts.has_role(user_id, role, partnership_id=partnership_id)))


# --- one scheduler per member at a time ---------------------------------------------------------

def lock_diaries(session: Session, member_ids: Iterable[int | None]) -> None:
    """Hold the members' diaries until the transaction ends; take it before checking for clashes.

    PostgreSQL: a row lock on each member's users row (FOR NO KEY UPDATE, in id order so two
    batches never wait on each other in a circle). A second scheduler of the member waits here
    until the first commits, then its check (a new statement, so a fresh READ COMMITTED snapshot)
    sees the first's visit. FOR NO KEY UPDATE rather than FOR UPDATE: rows that merely refer to
    the member (an audit event, a planned visit) can still be written meanwhile.

    SQLite has no row locks (FOR UPDATE is dropped) but one writer at a time, and the driver
    opens the transaction at its first write, so reads before it are not in a transaction at
    all. A no-op write to the members' rows takes the database's write lock now, before the
    check, and holds it to commit: a second scheduler waits here (busy_timeout) and then reads
    every committed visit.

    A database constraint would be the other way (PostgreSQL's EXCLUDE USING gist over a time
    range), but SQLite has nothing like it, and one rule enforced two ways is two rules."""
    ids = sorted({i for i in member_ids if i is not None})
    if not ids:
        return
    if session.connection().dialect.name == "sqlite":
        session.execute(update(User).where(User.id.in_(ids))
                        .values(session_generation=User.session_generation)
                        .execution_options(synchronize_session=False))
        return
    session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id)
                    .with_for_update(key_share=True))
