"""What changed since a closed cycle's report was published, without recounting on every view.

Recounting the whole report to compare it with the published one costs as much as a live report,
so the report page asks `changes_since_publication`, which keeps the answer per (published version,
data state). The data state is a fingerprint read with one statement from what the published
comparison (`publishing.describe_changes`: returns issued and received, each standard's grades,
moderation visits completed) is counted from: the cycle's returns (how many, how many submitted,
the sum of their versions, which every save bumps, and their latest submission, reopening and
activity) and its moderation visits (how many, how many completed, the latest completion). A
change to any of them is a new state, recounted once per process; the republish page and the
resubmission of a reopened return still recount (`unpublished_changes`), as deliberate actions."""

from __future__ import annotations

from collections import OrderedDict
from hashlib import blake2b

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from portal.models import Cycle, ModerationSample, PublishedReport, Return, ReturnStatus, Visit
from portal.services import publishing

from ._published import current_json

_KEPT = 64  # (version, state) answers kept per process; a few closed cycles are read at a time
_known: OrderedDict[tuple[object, ...], tuple[str, ...]] = OrderedDict()


def data_state(session: Session, cycle: Cycle) -> tuple[object, ...]:
    """A fingerprint of the data the published comparison is counted from (one statement)."""
    returns = (select(func.count(), func.sum(Return.version),
                      func.sum(case((Return.status == ReturnStatus.SUBMITTED.value, 1), else_=0)),
                      func.max(Return.submitted_at), func.max(Return.reopened_at),
                      func.max(Return.last_activity_at))
               .where(Return.cycle_id == cycle.id).subquery())
    visits = (select(func.count(), func.count(Visit.completed_at), func.max(Visit.completed_at))
              .join(ModerationSample, ModerationSample.id == Visit.sample_id)
              .where(ModerationSample.cycle_id == cycle.id).subquery())
    row = session.execute(select(returns, visits).join_from(returns, visits, true())).one()
    return tuple(str(value) for value in row)


def changes_since_publication(session: Session, cycle: Cycle,
                              published: PublishedReport | None) -> list[str]:
    """What differs between `published` (the cycle's latest version) and the figures now, counted
    once per data state: a view of an unchanged closed cycle sends one statement, not a report."""
    if published is None:
        return []
    key = (str(session.get_bind().engine.url), published.id, published.version,
           blake2b(published.content.encode(), digest_size=16).digest(), data_state(session, cycle))
    if key in _known:
        _known.move_to_end(key)
        return list(_known[key])
    changes = publishing.describe_changes(published.content, current_json(session, cycle))
    _known[key] = tuple(changes)
    while len(_known) > _KEPT:
        _known.popitem(last=False)
    return changes
