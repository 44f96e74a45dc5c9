"""Every artefact renders from the largest, most hostile input the rules allow, and holds all of
it: each long text's opening and closing markers are read back from the file."""

from __future__ import annotations

import os
from datetime import date, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any, cast

from hypothesis import given
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, CycleStatus, OutboxMessage, Return, Role
from portal.reports.return_pdf import render_return_pdf
from portal.reports.visit_pack import render_visit_pack
from portal.services import moderation
from portal.services.accounts import LinkSettings
from portal.services.cycles import create_cycle, open_cycle
from portal.services.mail import build_message
from portal.services.reporting import visit_pack
from portal.services.returns import (
    EVIDENCE_LIMIT,
    TEXT_LIMIT,
    ActionInput,
    AnswerInput,
    StandardInput,
    standard_parts,
    standard_problems,
    submit_return,
    write_standard,
)
from portal.services.returns._rules import WHO_LIMIT
from portal.services.returns._submission import DECLARATION_LIMIT
from tests import factories
from tests.reports.maximal_content import MAXIMAL, Maximal, holds, maximal, pdf_text

NAME_LIMIT = 200  # an agency's, a person's
PARTNERSHIP = "Test Safeguarding Partnership"
LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership=PARTNERSHIP, help_email="help@example.org")
OPENED = datetime(2017, 11, 1, 9)
SUBMITTED = datetime(2017, 12, 1, 9)
AFTER = datetime(2018, 3, 1, 9)
_cycles = iter(range(2000, 2099))
# how many standards carry the longest texts (every one: ARTEFACT_STANDARDS=99, slow)
STANDARDS = int(os.environ.get("ARTEFACT_STANDARDS", "2"))


def _issued(db: Session, texts: Maximal) -> Return:
    """A new cycle whose one return (to an agency with the longest name) is in progress."""
    year = next(_cycles)
    agency = factories.agency(db, texts.name(NAME_LIMIT))
    for earlier in db.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)):
        earlier.status = CycleStatus.CLOSED.value  # one open cycle per cohort
    cycle = create_cycle(db, label=f"{year}-{(year + 1) % 100:02d}", cohort="A",
                         deadline=date(2018, 1, 31), now=OPENED)
    open_cycle(db, cycle, now=OPENED, links=None)
    return db.scalars(select(Return).where(Return.agency_id == agency.id)).one()


def _fill(db: Session, return_: Return, texts: Maximal) -> list[str]:
    """Every question answered; in the first STANDARDS standards the first answer is inadequate
    with the longest comment, action and owner, the last N/A with the longest reason, and the
    evidence is the longest allowed."""
    long: list[str] = []
    for n, part in enumerate(standard_parts(db, return_)):
        codes = [q.code for q in part.questions]
        answers = [AnswerInput(code, "good") for code in codes]
        if n >= STANDARDS:
            write_standard(db, return_, part, StandardInput(answers, evidence="Seen."),
                           user_id=None, now=SUBMITTED)
            continue
        comment, what, reason = (texts.text(TEXT_LIMIT) for _ in range(3))
        answers[0] = AnswerInput(codes[0], "inadequate", comment=comment, action=ActionInput(
            what, texts.name(WHO_LIMIT), date(2018, 6, 1)))
        answers[-1] = AnswerInput(codes[-1], "not_applicable", na_reason=reason)
        data = StandardInput(answers, evidence=texts.text(EVIDENCE_LIMIT))
        assert standard_problems(part, data) == []  # within every limit the rules set
        write_standard(db, return_, part, data, user_id=None, now=SUBMITTED)
        long += [comment, what, reason, data.evidence, answers[0].action.who]
    return long


def _flat(text: str) -> str:
    return "".join(text.split())


def _emails(db: Session, return_: Return) -> list[EmailMessage]:
    """The return's queued emails as a mail client reads them."""
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.return_id == return_.id)).all()
    return [cast(EmailMessage, BytesParser(policy=default).parsebytes(
        build_message(row, "Portal <portal@example.org>").as_bytes())) for row in rows]


@MAXIMAL
@given(texts=maximal())
def test_a_return_of_the_longest_texts_submits_and_its_copy_and_visit_pack_hold_them(
    db: Session, tool: Any, texts: Maximal
) -> None:
    return_ = _issued(db, texts)
    long = _fill(db, return_, texts)
    agency: Agency = return_.agency
    user = factories.user(db, Role.AGENCY, agency=agency, name=texts.name(NAME_LIMIT))
    db.refresh(return_)
    name, role = texts.name(DECLARATION_LIMIT), texts.name(DECLARATION_LIMIT)
    submit_return(db, return_, user=user, declaration_name=name, declaration_role=role,
                  read_version=return_.version, links=LINKS, now=SUBMITTED,
                  render_copy=lambda doc: render_return_pdf(doc, partnership=PARTNERSHIP))
    assert return_.status == "submitted"

    emails = _emails(db, return_)  # to the submitter and to the agency's contact
    assert len(emails) == 2
    for email in emails:
        # a folded header may lose a space between two encoded words (the email package)
        assert _flat(agency.name) in _flat(email["Subject"])
        assert holds(email.get_body(("plain",)).get_content(), agency.name, name, role)
    (attached,) = list(emails[0].iter_attachments())
    assert holds(pdf_text(attached.get_content()), agency.name, name, role, *long)
    sample = moderation.draw_sample(db, cycle=return_.cycle, rate=1.0, seed=1, now=AFTER,
                                    user_id=None)
    (visit,) = moderation.plan_visits(db, sample=sample, manager_id=None, now=AFTER)
    pack = pdf_text(render_visit_pack(visit_pack(db, visit), partnership=PARTNERSHIP))
    assert holds(pack, agency.name, *long)
