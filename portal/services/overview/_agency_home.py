"""The agency's home: what is open for it to do, and what it has done.

Open: returns not yet submitted, information requests still taking its answers, visit dates to
choose, visits with a date (kept until they are held and written up), and the practitioner survey
of each open cycle. Done: submitted returns, answered requests, visit outcomes, past returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, RequestRecipient, Return, Visit
from portal.services import moderation, requests, returns, survey


@dataclass(frozen=True)
class AgencyHome:
    to_complete: list[Return]
    submitted: list[Return]
    past: list[Return]
    progress: dict[int, returns.Progress]
    open_requests: list[RequestRecipient]
    answered_requests: list[RequestRecipient]
    offers: list[Visit]
    visits: list[Visit]
    held: list[Visit]  # dated visits whose time has come, still to be written up
    outcomes: list[Visit]
    surveys: list[Cycle]
    earlier_surveys: list[Cycle]

    @property
    def nothing_open(self) -> bool:
        return not (self.to_complete or self.open_requests or self.offers or self.visits
                    or self.held or self.surveys)


def agency_home(session: Session, agency_id: int, *, now: datetime) -> AgencyHome:
    """Everything open for the agency, then everything it has done."""
    current, past = returns.agency_returns(session, agency_id)
    received = requests.requests_for_agency(session, agency_id)
    still_open = [r for r in received
                  if r.answered_at is None and not requests.is_closed(r.request, now=now)]
    surveys = survey.agency_surveys(session, agency_id)
    dated = moderation.scheduled_visits_of_agency(session, agency_id)
    return AgencyHome(
        to_complete=[r for r in current if not r.is_submitted],
        submitted=[r for r in current if r.is_submitted],
        past=past,
        progress=returns.progress(session, [r.id for r in current + past]),
        open_requests=still_open,
        answered_requests=[r for r in received if r.answered_at is not None],
        offers=moderation.visits_awaiting_choice(session, agency_id),
        visits=[v for v in dated if v.starts_at is None or v.starts_at > now],
        held=[v for v in dated if v.starts_at is not None and v.starts_at <= now],
        outcomes=moderation.completed_visits_of_agency(session, agency_id),
        surveys=[c for c in surveys if c.status == CycleStatus.OPEN.value],
        earlier_surveys=[c for c in surveys if c.status != CycleStatus.OPEN.value],
    )
