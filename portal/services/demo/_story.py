"""The demo's story beyond cycles and returns: what each signed-in role finds to do today.

Practitioner survey answers on last year's cycle (one agency's at the release threshold, shown;
another's below it, "too few"), a few on the open cycle, an information request still open, and
accounts for the agencies' contacts the story involves. The emails the story sent are sent: the
outbox holds them as delivered on the day they went.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import (
    FIRST_PARTNERSHIP_ID,
    Agency,
    AuditEvent,
    Cycle,
    CycleStatus,
    ModerationSample,
    OutboxMessage,
    PartnershipMember,
    Return,
    ReturnStatus,
    Role,
    Sector,
    ToolVersion,
    User,
    Visit,
)
from portal.services import reporting, requests, survey
from portal.services.accounts import LinkSettings
from portal.vocabulary import SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS, OutboxStatus, SurveyAnswer

from ._constants import DEMO_DOMAIN
from ._timeline import Timeline, dated, weekday_on_or_after

SURVEY_MIN_RESPONSES = survey.SurveySettings().min_responses
ANSWER_WEIGHTS = {SurveyAnswer.AGREE.value: 6, SurveyAnswer.PARTLY.value: 2,
                  SurveyAnswer.DISAGREE.value: 1, SurveyAnswer.DONT_KNOW.value: 1}
REQUEST_TITLE = "Safer recruitment training for staff who recruit"


def default_links() -> LinkSettings:
    """Where the demo's emails point when no deployment's settings are given (tests, scripts).
    Its signing key is thrown away: the demo's emails carry no signed link."""
    return LinkSettings(secret_key=secrets.token_hex(16), base_url="http://127.0.0.1:5000",
                        hours=72, partnership="Demo Safeguarding Partnership",
                        help_email=f"help@{DEMO_DOMAIN}")


def tell(session: Session, clock: Timeline, rng: random.Random, *, survey_min: int,
         links: LinkSettings, password: str | None) -> int:
    """Survey answers, the open request, the contacts' accounts; how many accounts were added."""
    last, current = _cycles(session)
    _survey_answers(session, last, rng, survey_min=survey_min)
    _survey_answers_so_far(session, current, rng, clock)
    _open_request(session, clock, links)
    added = _contact_accounts(session, last, password, clock)
    _mail_sent(session)
    return added


def _cycles(session: Session) -> tuple[Cycle, Cycle]:
    """The last closed cycle and the open one."""
    last = session.scalars(select(Cycle).where(Cycle.status == CycleStatus.CLOSED.value)
                           .order_by(Cycle.deadline.desc())).first()
    current = session.scalar(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value))
    assert last is not None and current is not None
    return last, current


def survey_agencies(session: Session, cycle: Cycle) -> tuple[Agency, Agency]:
    """The agency whose answers reach the threshold (a health trust) and the one whose answers
    fall short (a faith group), both of which returned the cycle's tool."""
    def first(sector: str) -> Agency:
        agency = session.scalars(
            select(Agency).join(Return, Return.agency_id == Agency.id).join(Sector)
            .where(Return.cycle_id == cycle.id, Return.status == ReturnStatus.SUBMITTED.value,
                   Sector.name == sector).order_by(Agency.name)).first()
        assert agency is not None
        return agency
    return first("Health"), first("Faith groups")


def _survey_answers(session: Session, cycle: Cycle, rng: random.Random, *,
                    survey_min: int) -> None:
    """Last year's survey: released at its close for the first agency, too few for the second."""
    shown, too_few = survey_agencies(session, cycle)
    assert cycle.opened_at is not None
    span = (cycle.final_deadline - cycle.opened_at.date()).days
    for agency, count in ((shown, survey_min), (too_few, max(survey_min // 2, 1))):
        for _ in range(count):
            day = cycle.opened_at.date() + timedelta(days=rng.randint(1, span))
            _respond(session, cycle, agency, rng, day)


def _survey_answers_so_far(session: Session, cycle: Cycle, rng: random.Random,
                           clock: Timeline) -> None:
    """The open cycle's survey: voluntary@'s group has had a few answers since the issue."""
    group = session.scalar(select(Agency)
                           .join(PartnershipMember, PartnershipMember.agency_id == Agency.id)
                           .join(User, User.id == PartnershipMember.user_id)
                           .where(User.email == f"voluntary@{DEMO_DOMAIN}",
                                  PartnershipMember.partnership_id == cycle.partnership_id))
    assert group is not None and cycle.opened_at is not None
    days = max((clock.now.date() - cycle.opened_at.date()).days, 1)
    for _ in range(3):
        _respond(session, cycle, group, rng, cycle.opened_at.date() + timedelta(
            days=rng.randint(1, days)))


def _respond(session: Session, cycle: Cycle, agency: Agency, rng: random.Random, day: date) -> None:
    statements = survey.statements_of(session, cycle.tool_version_id)
    answers = {st.code: rng.choices(list(ANSWER_WEIGHTS), list(ANSWER_WEIGHTS.values()))[0]
               for st in statements}
    survey.record_response(
        session, cycle_id=cycle.id, agency_id=agency.id, statements=statements, answers=answers,
        role_band=rng.choice([None, *SURVEY_ROLE_BANDS]),
        service_band=rng.choice([None, *SURVEY_SERVICE_BANDS]), today=day)


def _open_request(session: Session, clock: Timeline, links: LinkSettings) -> None:
    """The Chair's request to every school, sent nine days ago, answers due in three weeks."""
    sent = datetime.combine(clock.now.date() - timedelta(days=9), time(10))
    schools = session.scalar(select(Sector.id).where(Sector.name == "Schools and colleges"))
    new = requests.NewRequest(
        title=REQUEST_TITLE, signatory="Independent Chair",
        deadline=weekday_on_or_after(clock.now.date() + timedelta(days=21)),
        audience="sector", sector_id=schools,
        introduction="Last year's audit found safer recruitment the weakest standard. Please "
                     "tell us how the staff who recruit at your school are trained.",
        questions=[requests.NewQuestion("Have all the staff who sit on interview panels done "
                                        "safer recruitment training?", kind="yes_no"),
                   requests.NewQuestion("Who provides the training, and how often is it "
                                        "refreshed?")])
    with dated(session, sent):
        requests.send_request(session, new, now=sent, links=links)


def _contact_accounts(session: Session, cycle: Cycle, password: str | None,
                      clock: Timeline) -> int:
    """An account for the contact of each agency visited in last year's moderation and of each
    survey agency: they sign in to see their visit, its outcome and their survey's figures."""
    visited = session.scalars(
        select(Agency).join(Return, Return.agency_id == Agency.id)
        .join(Visit, Visit.return_id == Return.id)
        .join(ModerationSample, ModerationSample.id == Visit.sample_id)
        .where(ModerationSample.cycle_id == cycle.id).order_by(Agency.name)).unique().all()
    taken = set(session.scalars(select(User.email)))
    added = 0
    for agency in [*visited, *survey_agencies(session, cycle)]:
        contact = agency.primary_contact
        if contact is None or contact.email in taken:
            continue
        taken.add(contact.email)
        user = User(name=contact.name, email=contact.email, password_hash=password,
                    created_at=clock.founded)
        session.add(PartnershipMember(user=user, partnership_id=FIRST_PARTNERSHIP_ID,
                                      role=Role.AGENCY.value, agency=agency,
                                      created_at=clock.founded))
        added += 1
    session.flush()
    return added


def _mail_sent(session: Session) -> None:
    """The story's emails went out when they were written (the demo's history, not a queue)."""
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING.value)
                    .values(status=OutboxStatus.SENT.value, sent_at=OutboxMessage.created_at,
                            attempts=1))


def publish(session: Session) -> None:
    """The closed cycles' reports, published when each closed (and dated so in the audit log)."""
    reporting.publish_unpublished(session)
    for cycle in session.scalars(select(Cycle).where(Cycle.closed_at.is_not(None))):
        session.execute(update(AuditEvent).where(
            AuditEvent.action == "report.published", AuditEvent.entity_type == "cycle",
            AuditEvent.entity_id == cycle.id).values(at=cycle.closed_at))


def date_setup(session: Session, clock: Timeline) -> None:
    """The tool editions were loaded before the cycles that use them."""
    plans = clock.plans()
    for version, before in (("2026.1", plans[0]), ("2026.2", plans[1])):
        session.execute(update(ToolVersion).where(ToolVersion.version == version)
                        .values(loaded_at=before.opened - timedelta(days=30)))
