"""Recording recommendations against a cycle and the dated updates that move them on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Cycle,
    OwnerKind,
    Recommendation,
    RecommendationStatus,
    RecommendationUpdate,
    Standard,
)
from portal.services import audit
from portal.services.common import (
    Invalid,
    NotFound,
    Problem,
    check_texts,
    text_problems,
    uk_today,
)

RECOMMENDATION_LIMIT = 5000  # characters in a recommendation, an update or a reason


@dataclass(frozen=True)
class NewRecommendation:
    text: str
    standards: list[str]
    owner_kind: str
    owner_name: str
    due_on: date | None


def record_recommendation(
    session: Session, cycle: Cycle, new: NewRecommendation, *, now: datetime,
    user_id: int | None = None,
) -> Recommendation:
    """A recommendation against a cycle, after checking it says what, who and by when."""
    check_texts(text_problems("text", new.text, label="The recommendation",
                              limit=RECOMMENDATION_LIMIT),
                text_problems("owner_name", new.owner_name, label="The owner's name", kind="name"),
                text_problems("standards", ", ".join(new.standards), label="The standards",
                              kind="line"))
    problems = _problems(session, cycle, new, today=uk_today(now))
    if problems:
        raise Invalid(problems)
    assert new.due_on is not None
    made = Recommendation(
        cycle_id=cycle.id, text=new.text.strip(), standards=", ".join(new.standards),
        owner_kind=new.owner_kind, owner_name=new.owner_name.strip(), due_on=new.due_on,
        status=RecommendationStatus.OPEN.value, created_at=now, created_by_id=user_id,
    )
    session.add(made)
    session.flush()
    audit.record(session, action="recommendation.recorded", entity_type="recommendation",
                 entity_id=made.id, user_id=user_id, cycle=cycle.label)
    return made


def _problems(
    session: Session, cycle: Cycle, new: NewRecommendation, *, today: date
) -> list[Problem]:
    """Every problem with a new recommendation, each on its field (what, who, when, which)."""
    checks = [
        ("text", "Enter the recommendation") if not new.text.strip() else None,
        ("owner_kind", "Select who owns the recommendation")
        if new.owner_kind not in {k.value for k in OwnerKind} else None,
        ("owner_name", "Enter the name of the owner, like Independent Chair")
        if not new.owner_name.strip() else None,
        _due_problem(new.due_on, today),
    ]
    problems = [Problem(*check) for check in checks if check is not None]
    known = set(session.scalars(
        select(Standard.code).where(Standard.tool_version_id == cycle.tool_version_id)))
    unknown = [code for code in new.standards if code not in known]
    if unknown:
        problems.append(Problem("standards",
                                f"There is no standard {unknown[0]} in the {cycle.label} tool"))
    return problems


def _due_problem(due_on: date | None, today: date) -> tuple[str, str] | None:
    if due_on is None:
        return ("due_on", "Enter the date the recommendation is due")
    if due_on < today:
        return ("due_on", "The date the recommendation is due must be today or in the future")
    return None


def add_update(
    session: Session, recommendation: Recommendation, *, status: str, note: str, on: date,
    dropped_reason: str | None = None, user_id: int | None = None, now: datetime,
) -> RecommendationUpdate:
    """A dated note that may change the status; dropping needs a reason."""
    check_texts(text_problems("note", note, label="What has happened", limit=RECOMMENDATION_LIMIT),
                text_problems("dropped_reason", dropped_reason, label="The reason",
                              limit=RECOMMENDATION_LIMIT))
    if status not in {s.value for s in RecommendationStatus}:
        raise Invalid.at("status", "Select the status")
    if not note.strip():
        raise Invalid.at("note", "Enter what has happened")
    if status == RecommendationStatus.DROPPED.value and not (dropped_reason or "").strip():
        raise Invalid.at("dropped_reason", "Enter why the recommendation was dropped")
    recommendation.status = status
    recommendation.dropped_reason = (dropped_reason or "").strip() or None \
        if status == RecommendationStatus.DROPPED.value else None
    update = RecommendationUpdate(recommendation_id=recommendation.id, on=on, note=note.strip(),
                                  status=status, recorded_at=now, user_id=user_id)
    session.add(update)
    session.flush()
    audit.record(session, action="recommendation.updated", entity_type="recommendation",
                 entity_id=recommendation.id, user_id=user_id, status=status)
    return update


def note_progress(
    session: Session, recommendation: Recommendation, *, note: str, on: date, now: datetime,
    user_id: int | None = None,
) -> RecommendationUpdate:
    """Progress from elsewhere (an answered request): an open recommendation is now in progress."""
    status = recommendation.status
    if status == RecommendationStatus.OPEN.value:
        status = RecommendationStatus.IN_PROGRESS.value
    return add_update(session, recommendation, status=status, note=note, on=on,
                      dropped_reason=recommendation.dropped_reason, user_id=user_id, now=now)


def get_recommendation(session: Session, recommendation_id: int) -> Recommendation:
    found = session.get(Recommendation, recommendation_id)
    if found is None:
        raise NotFound("No such recommendation")
    return found


def is_overdue(recommendation: Recommendation, *, today: date) -> bool:
    return RecommendationStatus(recommendation.status).is_live and recommendation.due_on < today


def list_recommendations(session: Session, *, cycle: Cycle | None = None) -> list[Recommendation]:
    """Recommendations, newest cycle first, then by due date."""
    query = (select(Recommendation).join(Cycle, Cycle.id == Recommendation.cycle_id)
             .options(selectinload(Recommendation.updates), selectinload(Recommendation.cycle))
             .order_by(Cycle.deadline.desc(), Recommendation.due_on, Recommendation.id))
    if cycle is not None:
        query = query.where(Recommendation.cycle_id == cycle.id)
    return list(session.scalars(query))


def overdue_by_cycle(session: Session, *, today: date) -> dict[int, int]:
    """Live recommendations past their due date (as `is_overdue`), per cycle, in one query."""
    live = [s.value for s in RecommendationStatus if s.is_live]
    return {cycle_id: int(count) for cycle_id, count in session.execute(
        select(Recommendation.cycle_id, func.count(Recommendation.id))
        .where(Recommendation.status.in_(live), Recommendation.due_on < today)
        .group_by(Recommendation.cycle_id)
    )}
