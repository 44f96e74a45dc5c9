"""Issuing practitioner-survey links with a cycle: one unguessable token per issued agency,
made set-based (one read, one insert) when the cycle's tool carries survey statements."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, Return, SurveyLink, SurveyStatement
from portal.services.common import bulk_insert


def has_survey(session: Session, cycle: Cycle) -> bool:
    """Whether the cycle's tool version carries practitioner statements."""
    return session.scalar(
        select(SurveyStatement.id).where(SurveyStatement.tool_version_id == cycle.tool_version_id)
        .limit(1)
    ) is not None


def issue_survey_links(session: Session, cycle: Cycle, *, now: datetime) -> dict[int, str]:
    """Every issued agency's survey token (agency id -> token), making the missing ones."""
    if cycle.status == CycleStatus.DRAFT.value or not has_survey(session, cycle):
        return {}
    missing = session.scalars(
        select(Return.agency_id).where(Return.cycle_id == cycle.id).where(
            ~select(SurveyLink.id).where(SurveyLink.cycle_id == cycle.id,
                                         SurveyLink.agency_id == Return.agency_id).exists()
        ).order_by(Return.agency_id)
    ).all()
    # in batches of one statement each (an executemany is one statement per row on PostgreSQL)
    bulk_insert(session, SurveyLink, (
        {"cycle_id": cycle.id, "agency_id": agency_id, "token": secrets.token_urlsafe(24),
         "created_at": now, "taken": 0}
        for agency_id in missing
    ))
    return dict(session.execute(
        select(SurveyLink.agency_id, SurveyLink.token).where(SurveyLink.cycle_id == cycle.id)
    ).all())
