"""Draft cycles: created, changed and deleted until they open (nothing is issued or sent)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.models import ChaserStage, Cohort, Cycle, CycleStatus, ToolVersion
from portal.services import audit
from portal.services.common import ServiceError, add_working_days
from portal.services.tools import latest_tool

FINAL_DEADLINE_WORKING_DAYS = 20


def create_cycle(
    session: Session, *, label: str, cohort: str, deadline: date, now: datetime,
    final_deadline: date | None = None, tool_version: ToolVersion | None = None,
) -> Cycle:
    """A draft cycle; the final deadline defaults to 20 working days after the deadline."""
    final_deadline = _checked_draft(session, label=label, cohort=cohort, deadline=deadline,
                                    final_deadline=final_deadline, excluding=None)
    tool_version = tool_version or latest_tool(session)
    if tool_version is None:
        raise ServiceError("Load a tool first (flask tools load)")
    cycle = Cycle(label=label, cohort=cohort, deadline=deadline, final_deadline=final_deadline,
                  tool_version=tool_version, created_at=now)
    session.add(cycle)
    session.flush()
    return cycle


def _checked_draft(session: Session, *, label: str, cohort: str, deadline: date,
                   final_deadline: date | None, excluding: int | None) -> date:
    """Refuse a draft's unknown cohort, taken label or final deadline before its deadline;
    the final deadline (20 working days after the deadline when not given)."""
    if cohort not in {c.value for c in Cohort}:
        raise ServiceError("Cohort must be A or B")
    if session.scalar(select(Cycle.id).where(Cycle.label == label,
                                             Cycle.id != (excluding or 0))) is not None:
        raise ServiceError(f"A cycle labelled {label} already exists")
    final_deadline = final_deadline or add_working_days(deadline, FINAL_DEADLINE_WORKING_DAYS)
    if final_deadline < deadline:
        raise ServiceError("The final deadline must be on or after the deadline")
    return final_deadline


def update_draft(
    session: Session, cycle: Cycle, *, label: str, cohort: str, deadline: date,
    final_deadline: date | None = None, tool_version: ToolVersion | None = None,
    user_id: int | None = None,
) -> Cycle:
    """Change a draft cycle's label, cohort, deadlines or tool; an opened cycle is refused
    (even one opened by someone else a moment ago: the UPDATE is conditional)."""
    _refuse_opened(cycle, "changed")
    final_deadline = _checked_draft(session, label=label, cohort=cohort, deadline=deadline,
                                    final_deadline=final_deadline, excluding=cycle.id)
    values = {"label": label, "cohort": cohort, "deadline": deadline,
              "final_deadline": final_deadline,
              "tool_version_id": (tool_version or cycle.tool_version).id}
    changed = session.execute(
        update(Cycle).where(Cycle.id == cycle.id, Cycle.status == CycleStatus.DRAFT.value)
        .values(**values).execution_options(synchronize_session=False))
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise ServiceError(f"Cycle {cycle.label} has just been opened: it can no longer change")
    session.refresh(cycle)
    audit.record(session, action="cycle.draft_changed", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, label=label)
    return cycle


def delete_draft(session: Session, cycle: Cycle, *, user_id: int | None = None) -> None:
    """Delete a draft cycle (nothing was issued or sent): its label is free for a new one."""
    _refuse_opened(cycle, "deleted")
    label, cycle_id = cycle.label, cycle.id
    session.execute(delete(ChaserStage).where(ChaserStage.cycle_id == cycle_id))
    deleted = session.execute(
        delete(Cycle).where(Cycle.id == cycle_id, Cycle.status == CycleStatus.DRAFT.value)
        .execution_options(synchronize_session=False))
    if not deleted.rowcount:  # type: ignore[attr-defined]
        raise ServiceError(f"Cycle {label} has just been opened: it can no longer be deleted")
    session.expunge(cycle)
    audit.record(session, action="cycle.draft_deleted", entity_type="cycle", entity_id=cycle_id,
                 user_id=user_id, label=label)


def _refuse_opened(cycle: Cycle, what: str) -> None:
    if cycle.status != CycleStatus.DRAFT.value:
        raise ServiceError(f"Cycle {cycle.label} is {cycle.status}: only a draft cycle can be "
                           f"{what}")
