"""Chasing a filtered list of returns in bulk: preview one message, confirm with the count.

Each agency in the list that has not submitted gets one ad-hoc chaser in the chosen stage's
wording, recorded and queued in the outbox like any chaser, plus one audit event for the batch.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, ChaserStage, Cycle, Return, ReturnStatus
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError, uk_today

from ._sending import (
    DEFAULT_MIN_GAP_WORKING_DAYS,
    ChaserRun,
    Rules,
    _adhoc_code,
    _chase_many,
    _last_chased,
    _plan,
    _unsubmitted_returns,
    refuse_closed,
)


def chase_targets(session: Session, cycle: Cycle, return_ids: list[int]) -> list[Return]:
    """The returns of the list a bulk chase would reach: active agencies, not submitted."""
    if not return_ids:
        return []
    return list(session.scalars(
        select(Return).join(Agency, Agency.id == Return.agency_id)
        .options(selectinload(Return.agency).selectinload(Agency.contacts))
        .where(Return.cycle_id == cycle.id, Return.id.in_(return_ids),
               Return.status != ReturnStatus.SUBMITTED.value, Agency.active.is_(True))
        .order_by(Agency.name, Return.id)))


def preview_bulk(
    session: Session, targets: list[Return], stage: ChaserStage, *, links: LinkSettings,
    now: datetime, min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS,
) -> mail.BulkPreview:
    """Every message chase_list would queue for these targets now (built by the code that
    queues them: a carried-over agency's paragraph included), and the agencies it would hold."""
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links)
    cycles = {r.cycle_id: r.cycle for r in targets}
    last: dict[int, datetime] = {}
    for cycle in cycles.values():
        last.update(_last_chased(session, cycle))
    return _plan(session, targets, stage, last=last, rules=rules)


def chase_list(
    session: Session, cycle: Cycle, return_ids: list[int], *, stage: ChaserStage, expected: int,
    now: datetime, links: LinkSettings, user_id: int | None = None,
    min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS,
) -> ChaserRun:
    """One chaser per agency of the list that has not submitted, once the count is confirmed."""
    refuse_closed(cycle)
    if stage.cycle_id != cycle.id:
        raise ServiceError("Select the wording to use")
    wanted = set(return_ids)
    returns = [r for r in _unsubmitted_returns(session, cycle) if r.id in wanted]
    if len(returns) != expected:
        raise ServiceError(f"The list has changed since you checked it: {len(returns)} "
                           f"{'agency' if len(returns) == 1 else 'agencies'} now to chase. "
                           "Check the message and confirm again")
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links,
                  user_id=user_id)
    run = ChaserRun()
    _chase_many(session, returns, stage, codes={r.id: _adhoc_code(now) for r in returns},
                due=None, last=_last_chased(session, cycle), rules=rules, run=run)
    audit.record(session, action="chasers.bulk_sent", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, stage=stage.code, confirmed=expected, sent=len(run.sent),
                 held=[agency for agency, _ in run.held])
    return run
