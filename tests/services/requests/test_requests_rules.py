"""Information requests refuse bad input and change nothing; answers move a recommendation on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    InformationRequest,
    OutboxMessage,
    RecommendationStatus,
    RequestAnswer,
)
from portal.services.recommendations import NewRecommendation, record_recommendation
from portal.services.requests import (
    NewQuestion,
    RequestRejected,
    answer_request,
    response_rates,
    send_request,
)
from tests.support import factories
from tests.support.chaser_helpers import open_cycle_with
from tests.support.request_helpers import LINKS, agencies, answer, new_request, send

NOW = datetime(2018, 5, 1, 9)


def _nothing_stored(db: Session) -> None:
    db.rollback()
    assert db.scalar(select(func.count(InformationRequest.id))) == 0
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"questions": []}, "Add at least one question"),
    ({"questions": [NewQuestion("   ")]}, "Add at least one question"),
    ({"questions": [NewQuestion(f"Q{n}") for n in range(6)]}, "at most 5 questions"),
    ({"questions": [NewQuestion("Which?", "choice", ["Only one"])]},
     "Enter at least 2 choices for question 1"),
    ({"deadline": date(2018, 4, 30)}, "The deadline must be today or in the future, not 30 April 2018"),
    ({"deadline": None}, "Enter the deadline for answers"),
    ({"audience": "chosen", "agency_names": []}, "Enter at least one agency name"),
    ({"audience": "chosen", "agency_names": ["Nobody Ltd"]}, "There is no agency called Nobody Ltd"),
    ({"audience": "sector", "sector_id": None}, "Select the sector"),
    ({"signatory": " "}, "Enter who the request is from"),
])
def test_a_bad_request_is_refused_and_changes_nothing(
    db: Session, overrides: dict[str, Any], message: str
) -> None:
    agencies(db, {"Health": ["Riverside NHS Trust"]})
    db.commit()
    with pytest.raises(RequestRejected, match=message):
        send_request(db, new_request(**overrides), now=NOW, links=LINKS)
    _nothing_stored(db)


def test_a_request_to_a_sector_with_no_active_agency_is_refused(db: Session) -> None:
    agencies(db, {"Health": ["Riverside NHS Trust"]})
    empty = factories.sector(db, "Faith groups")
    db.commit()
    with pytest.raises(RequestRejected, match="No active agency would receive this request"):
        send_request(db, new_request(audience="sector", sector_id=empty.id), now=NOW, links=LINKS)
    _nothing_stored(db)


def test_answers_are_taken_until_the_end_of_the_deadlines_uk_day(db: Session) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust", "Valley Hospital"]})
    request = send(db)  # deadline 25 May 2018, in British Summer Time
    answer(db, request, made["Riverside NHS Trust"], datetime(2018, 5, 25, 22, 30))  # 23:30 UK
    late = next(r for r in request.recipients if r.agency.name == "Valley Hospital")
    values = {q.id: "yes" for q in request.questions}
    with pytest.raises(RequestRejected, match="The deadline for this request was 25 May 2018"):
        answer_request(db, late, values, now=datetime(2018, 5, 25, 23, 30))  # 00:30 UK, 26 May
    db.rollback()
    assert late.answered_at is None
    assert db.scalar(select(func.count(RequestAnswer.id))) == len(request.questions)


def test_an_answer_missing_a_question_or_with_an_unknown_choice_saves_nothing(db: Session) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust"]})
    request = send(db)
    recipient = request.recipients[0]
    text, yes_no, choice = request.questions
    with pytest.raises(RequestRejected, match="Answer question 1"):
        answer_request(db, recipient, {yes_no.id: "yes", choice.id: "Never"}, now=NOW)
    with pytest.raises(RequestRejected, match="Select one of the choices for question 3"):
        answer_request(db, recipient, {text.id: "x", yes_no.id: "yes", choice.id: "Monthly"},
                       now=NOW)
    db.rollback()
    assert db.scalar(select(func.count(RequestAnswer.id))) == 0
    assert made


def test_answering_a_linked_request_moves_the_recommendation_on(db: Session, tool: Any) -> None:
    arranged = open_cycle_with(db, ["Riverside NHS Trust", "Valley Hospital"])
    recommendation = record_recommendation(db, arranged.cycle, NewRecommendation(
        text="The Chair writes to all services about training on disabled children",
        standards=["11"], owner_kind="chair", owner_name="Independent Chair",
        due_on=date(2018, 9, 30)), now=NOW)
    db.commit()
    request = send(db, recommendation_id=recommendation.id)
    answer(db, request, arranged.agencies["Riverside NHS Trust"], datetime(2018, 5, 10, 11))

    db.refresh(recommendation)
    assert recommendation.status == RecommendationStatus.IN_PROGRESS.value
    [update] = recommendation.updates
    assert update.on == date(2018, 5, 10)
    assert update.note == ("Riverside NHS Trust answered the information request “Training on "
                           "working with disabled children” (1 of 2 agencies have answered)")
    rates = response_rates(db, request)
    assert [(r.sector, r.sent, r.answered) for r in rates] == [("Health", 2, 1)]
