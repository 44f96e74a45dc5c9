"""The practitioner survey's results as the partnership and an agency read them, and what a
survey download needs: the cycle must have had a survey, the agency a link or a submitted return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.models import Cycle
from portal.services import survey
from portal.services.common import NotFound
from portal.services.survey import AgencyResult, SurveyResults, SurveySettings

from ._downloads import report_cycle


def survey_report(session: Session, label: str, *,
                  settings: SurveySettings) -> SurveyResults:
    """Every issued agency's survey results in cycle `label`, with sector and partnership figures."""
    cycle = report_cycle(session, label)
    if not survey.has_survey(session, cycle):
        raise NotFound(f"Cycle {label} had no practitioner survey")
    return survey.survey_results(session, cycle, settings=settings)


def agency_result(results: SurveyResults, agency_id: int) -> AgencyResult:
    """One agency's results among the cycle's."""
    found = next((a for a in results.agencies if a.agency_id == agency_id), None)
    if found is None:
        raise NotFound(f"That agency was not issued the {results.cycle} survey")
    return found


@dataclass(frozen=True)
class PosterLink:
    agency: str
    cycle: str
    token: str
    short_code: str
    deadline: date


def poster_link(session: Session, label: str, agency_id: int, *, now: datetime) -> PosterLink:
    """What an agency's survey poster shows: its name and its survey link's token."""
    cycle = report_cycle(session, label)
    token = survey.agency_link(session, cycle, agency_id, now=now)
    name = next((a.agency for a in survey.survey_results(session, cycle,
                                                         agency_id=agency_id).agencies), None)
    if token is None or name is None:
        raise NotFound(f"That agency has no survey link in cycle {label}")
    return PosterLink(name, label, token, survey.short_code(session, token), cycle.deadline)


def own_survey_results(session: Session, cycle: Cycle, agency_id: int, *,
                       settings: SurveySettings) -> SurveyResults:
    """An agency's own results, which it sees once it has submitted its return."""
    if not survey.agency_submitted(session, cycle, agency_id):
        raise NotFound("Your survey results show once your return is submitted")
    return survey.survey_results(session, cycle, settings=settings, agency_id=agency_id)
