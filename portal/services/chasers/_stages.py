"""Chaser stages: when each reminder goes out, and the wording a manager can edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from string import Formatter

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import ChaserStage, Cycle, Return
from portal.services import audit
from portal.services.accounts import LinkSettings
from portal.services.common import (
    Invalid,
    NotFound,
    Problem,
    ServiceError,
    add_working_days,
    check_texts,
    text_problems,
)
from portal.services.mail import Email, render_email

ANCHORS = {"deadline": "the deadline", "final_deadline": "the final deadline"}
PLACEHOLDERS = {
    "agency": "the agency's name",
    "deadline": "the deadline, like 1 June 2018",
    "final_deadline": "the final deadline",
    "link": "the link to the agency's return",
    "contact": "the name of the person the email is addressed to",
}


@dataclass(frozen=True)
class StageDefault:
    code: str
    name: str
    anchor: str
    offset: int
    subject: str
    body: str


DEFAULT_STAGES = (
    StageDefault(
        "before_deadline", "Reminder before the deadline", "deadline", -10,
        "Reminder: {agency}'s Compact Audit return is due by {deadline}",
        "Dear {contact},\n\nThis is a reminder that {agency}'s Compact Audit self-assessment is "
        "due by {deadline}. If you have started it, your answers are saved: sign in to finish "
        "and submit it.",
    ),
    StageDefault(
        "on_deadline", "On the deadline", "deadline", 0,
        "Due today, {deadline}: {agency}'s Compact Audit return",
        "Dear {contact},\n\n{agency}'s Compact Audit self-assessment is due today, {deadline}. "
        "Please submit it today, or tell us now if something is stopping you.",
    ),
    StageDefault(
        "overdue_5", "5 working days overdue", "deadline", 5,
        "Overdue: {agency}'s Compact Audit return was due on {deadline}",
        "Dear {contact},\n\nWe have not received {agency}'s Compact Audit self-assessment, "
        "which was due on {deadline}. Please submit it as soon as you can.",
    ),
    StageDefault(
        "overdue_10", "10 working days overdue", "deadline", 10,
        "Still overdue: {agency}'s Compact Audit return",
        "Dear {contact},\n\n{agency}'s Compact Audit self-assessment is now two weeks overdue "
        "(it was due on {deadline}). The final deadline is {final_deadline}.",
    ),
    StageDefault(
        "final_notice", "Final notice", "final_deadline", 0,
        "Final notice: {agency}'s Compact Audit return must be submitted by the end of today, "
        "{final_deadline}",
        "Dear {contact},\n\nToday, {final_deadline}, is the final deadline for {agency}'s Compact "
        "Audit self-assessment. Agencies that do not return it are carried into next year's "
        "audit and may be asked to meet the Independent Chair.",
    ),
)


# A stage written for its day ("due today") sent on a later day (a missed run caught up, or an
# ad-hoc chaser) would call another day "today": these words are sent instead.
LATE_WORDING = {
    "deadline": (
        "Overdue: {agency}'s Compact Audit return was due on {deadline}",
        "Dear {contact},\n\nWe have not received {agency}'s Compact Audit self-assessment. The "
        "deadline was {deadline}, and it has passed. Please submit it as soon as you can. The "
        "final deadline is {final_deadline}.",
    ),
    "final_deadline": (
        "Final deadline passed: {agency}'s Compact Audit return was due by {final_deadline}",
        "Dear {contact},\n\nThe final deadline for {agency}'s Compact Audit self-assessment was "
        "{final_deadline}, and it has passed. We have not received your return. Agencies that do "
        "not return it are carried into next year's audit and may be asked to meet the "
        "Independent Chair. Please submit it now, or tell us what is stopping you.",
    ),
}


def late_anchor(stage: ChaserStage, cycle: Cycle, today: date) -> str | None:
    """The anchor ('deadline' or 'final_deadline') whose day has passed for a stage written for
    that day or before it, or None when the stage's own words are right today."""
    anchor_day = cycle.final_deadline if stage.anchor == "final_deadline" else cycle.deadline
    if stage.offset_working_days <= 0 and today > anchor_day:
        return stage.anchor
    return None


def stages_of(session: Session, cycle: Cycle) -> list[ChaserStage]:
    return list(session.scalars(
        select(ChaserStage).where(ChaserStage.cycle_id == cycle.id).order_by(ChaserStage.position)
    ))


def ensure_default_stages(session: Session, cycle: Cycle) -> list[ChaserStage]:
    """The cycle's stages, creating the default five if it has none yet."""
    stages = stages_of(session, cycle)
    if stages:
        return stages
    made = [
        ChaserStage(cycle_id=cycle.id, code=d.code, name=d.name, anchor=d.anchor,
                    offset_working_days=d.offset, subject_template=d.subject,
                    body_template=d.body, position=n)
        for n, d in enumerate(DEFAULT_STAGES, 1)
    ]
    if session.get_bind().dialect.name == "sqlite":
        session.add_all(made)  # SQLite serialises writers: no concurrent run can add them too
        session.flush()
        return made
    try:
        with session.begin_nested():  # a concurrent run may create them at the same moment
            session.add_all(made)
    except IntegrityError:
        pass
    return stages_of(session, cycle)


def due_on(stage: ChaserStage, cycle: Cycle) -> date:
    """The working day a stage goes out: offset working days from its anchor (never a holiday)."""
    anchor = cycle.final_deadline if stage.anchor == "final_deadline" else cycle.deadline
    return add_working_days(anchor, stage.offset_working_days)


def is_final_notice(stage: ChaserStage | None) -> bool:
    return stage is not None and stage.anchor == "final_deadline"


def describe_timing(stage: ChaserStage) -> str:
    """'10 working days before the deadline', 'On the final deadline'."""
    anchor = ANCHORS.get(stage.anchor, stage.anchor)
    n = stage.offset_working_days
    if n == 0:
        return f"On {anchor}"
    days = "1 working day" if abs(n) == 1 else f"{abs(n)} working days"
    return f"{days} {'before' if n < 0 else 'after'} {anchor}"


def template_problem(text: str, what: str) -> str | None:
    """Why a subject or body template cannot be used, in GOV.UK voice, or None."""
    allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in Formatter().parse(text) if f is not None]
    except ValueError:
        return (f"{what} has a {{ or }} without its partner: placeholders look like {{agency}}, "
                "and a brace on its own is written {{ or }}")
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS or spec or conversion:
            return f"{what} contains an unknown placeholder {{{name}}}: use only {allowed}"
    return None


def check_wording(subject: str, body: str) -> None:
    """Refuse a stage's wording whose placeholders cannot be filled: Invalid, on the subject and
    body fields."""
    found = [(field, template_problem(text, what))
             for field, text, what in (("subject", subject, "Subject"), ("body", body, "Email text"))]
    problems = [Problem(field, problem) for field, problem in found if problem]
    check_texts(problems, text_problems("subject", subject, label="The subject", kind="line"),
                text_problems("body", body, label="The email text", limit=10_000))


def fill(template: str, values: dict[str, str]) -> str:
    """A template with its placeholders replaced; refuses templates that fail validation."""
    problem = template_problem(template, "The template")
    if problem:
        raise ServiceError(problem)
    return template.format_map(values)


def update_stage(
    session: Session, stage: ChaserStage, *, name: str, anchor: str, offset: int, subject: str,
    body: str, user_id: int | None = None,
) -> ChaserStage:
    """Change a stage's timing and wording after checking its placeholders."""
    check_wording(subject, body)
    check_texts(text_problems("name", name, label="The name", kind="line", limit=200))
    if anchor not in ANCHORS:
        raise Invalid.at("anchor", "Select the deadline or the final deadline")
    stage.name, stage.anchor, stage.offset_working_days = name.strip(), anchor, offset
    stage.subject_template, stage.body_template = subject.strip(), body.strip()
    session.flush()
    audit.record(session, action="chaser_stage.updated", entity_type="chaser_stage",
                 entity_id=stage.id, user_id=user_id, code=stage.code, offset=offset,
                 anchor=anchor)
    return stage


@dataclass(frozen=True)
class Addressee:
    agency: str
    contact: str
    email: str


def render_chaser_email(
    *, subject_template: str, body_template: str, cycle: Cycle, to: Addressee,
    links: LinkSettings, final: bool = False, missed_cycle: str | None = None,
    short_tool: bool = False, late: str | None = None, sent_on: date | None = None,
) -> Email:
    """A chaser email: the stage's wording (or, `late`, the words for a day that has passed),
    then the fixed facts (agency, deadline and whether it has passed on `sent_on`, link, help).

    An agency carried over from a cycle it missed (`missed_cycle`) is told what a second miss
    means; the short tool's groups are told it is short and plain."""
    if late in LATE_WORDING:
        subject_template, body_template = LATE_WORDING[late]
    link = f"{links.base_url.rstrip('/')}/agency/"
    values = {
        "agency": to.agency, "contact": to.contact or "colleague", "link": link,
        "deadline": _long_date(cycle.deadline), "final_deadline": _long_date(cycle.final_deadline),
    }
    subject = " ".join(fill(subject_template, values).split())
    body = fill(body_template, values).strip()
    return render_email(
        "chaser", to=to.email, subject=subject, body=body,
        paragraphs=[p.strip() for p in body.split("\n\n") if p.strip()],
        agency=to.agency, cycle_label=cycle.label, deadline=values["deadline"],
        final_deadline=values["final_deadline"], final=final, link=link,
        deadline_passed=sent_on is not None and sent_on > cycle.deadline,
        final_passed=sent_on is not None and sent_on > cycle.final_deadline,
        partnership=links.partnership, help_email=links.help_email,
        missed_cycle=missed_cycle, short_tool=short_tool,
    )


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def get_stage(session: Session, stage_id: int) -> ChaserStage:
    stage = session.get(ChaserStage, stage_id)
    if stage is None:
        raise NotFound("No such chaser stage")
    return stage


def return_of_stage(session: Session, stage: ChaserStage, return_id: int) -> Return:
    """A return of the stage's cycle (to preview the stage's email to it), or NotFound."""
    found = session.get(Return, return_id)
    if found is None or found.cycle_id != stage.cycle_id:
        raise NotFound("No such return in this cycle")
    return found


SAMPLE = Addressee(agency="Example Agency", contact="Alex Smith", email="lead@example.org")


def preview_email(
    stage: ChaserStage, addressee: Addressee | None, *, links: LinkSettings,
    subject: str | None = None, body: str | None = None, today: date | None = None,
) -> Email:
    """The email a stage would send (optionally with unsaved wording), to an agency or a sample;
    with `today`, exactly as it would be sent that day. Unsaved wording that cannot be filled
    is Invalid, as update_stage says."""
    subject = stage.subject_template if subject is None else subject
    body = stage.body_template if body is None else body
    check_wording(subject, body)
    return render_chaser_email(
        subject_template=subject, body_template=body,
        cycle=stage.cycle, to=addressee or SAMPLE, links=links, final=is_final_notice(stage),
        late=late_anchor(stage, stage.cycle, today) if today else None, sent_on=today,
    )
