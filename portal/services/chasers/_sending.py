"""Chasers: reminder and chase emails that never miss, never double, and can be audited.

A run sends, for each open return that is not submitted, the *latest* stage that is due and not
yet sent. Earlier stages that were missed (a day without a run, a held chaser) are superseded:
they are not sent late and not recorded, so the history shows exactly what went out. Each chaser
is a `Chaser` row, unique per (return, stage code), inserted in the transaction that queues its
emails in the outbox; that constraint and row locks make two simultaneous runs send it once.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Agency,
    Chaser,
    ChaserMessage,
    ChaserStage,
    Contact,
    Cycle,
    CycleStatus,
    Return,
    ReturnStatus,
    Role,
    User,
    Variant,
)
from portal.services import accounts, audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import (
    ServiceError,
    bulk_insert,
    insert_new,
    uk_today,
    working_days_between,
)
from portal.services.cycles import is_past_deadline, previous_cycle
from portal.services.mail import Email, render_email

from ._stages import (
    Addressee,
    due_on,
    ensure_default_stages,
    is_final_notice,
    late_anchor,
    render_chaser_email,
)

DEFAULT_MIN_GAP_WORKING_DAYS = 2
ADHOC_PREFIX = "adhoc:"


@dataclass(frozen=True)
class SentChaser:
    cycle: str
    agency: str
    stage: str
    recipients: tuple[str, ...]
    final: bool = False


@dataclass
class ChaserRun:
    """What a run did, for the command's output and the manager's message."""

    sent: list[SentChaser] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # (agency, why)
    summaries_to: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    today: date
    min_gap: int
    now: datetime
    links: LinkSettings
    user_id: int | None = None


def send_due_chasers(
    session: Session, *, now: datetime, links: LinkSettings, cycle: Cycle | None = None,
    min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS, user_id: int | None = None,
    expected: int | None = None,
) -> ChaserRun:
    """Record and queue, per unsubmitted return of an open cycle, its latest unsent due stage.

    With `expected` (the count of messages a manager confirmed in the preview of one cycle),
    refuses when the messages to send are no longer that many."""
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links,
                  user_id=user_id)
    if cycle is not None and expected is not None:
        _refuse_changed(preview_due_chasers(session, cycle, now=now, links=links,
                                            min_gap_working_days=min_gap_working_days), expected)
    run = ChaserRun()
    for open_cycle in _open_cycles(session, cycle):
        stages = ensure_default_stages(session, open_cycle)
        stage = _latest_due([(due_on(s, open_cycle), s) for s in stages], rules.today)
        if stage is not None:
            _chase_cycle(session, open_cycle, stage, rules=rules, run=run)
        _queue_final_summary(session, open_cycle, run, rules)
    return run


def preview_due_chasers(
    session: Session, cycle: Cycle, *, now: datetime, links: LinkSettings,
    min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS,
) -> mail.BulkPreview:
    """Every message "send due chasers" would queue for the cycle now, and who it would hold."""
    refuse_closed(cycle)
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links)
    stages = ensure_default_stages(session, cycle)
    stage = _latest_due([(due_on(s, cycle), s) for s in stages], rules.today)
    if stage is None:
        return mail.BulkPreview(messages=[])
    return _plan(session, _due_returns(session, cycle, stage, lock=False), stage,
                 last=_last_chased(session, cycle), rules=rules)


def _refuse_changed(preview: mail.BulkPreview, expected: int) -> None:
    if preview.count != expected:
        raise ServiceError(f"The list has changed since you checked it: {preview.count} "
                           f"{'email' if preview.count == 1 else 'emails'} now to send. "
                           "Check the messages and confirm again")


def _due_returns(session: Session, cycle: Cycle, stage: ChaserStage, *,
                 lock: bool = True) -> list[Return]:
    sent = _sent_codes(session, cycle)
    return [r for r in _unsubmitted_returns(session, cycle, lock=lock)
            if stage.code not in sent[r.id]]


def _plan(session: Session, returns: list[Return], stage: ChaserStage, *,
          last: dict[int, datetime], rules: Rules) -> mail.BulkPreview:
    """The messages a chase of `returns` would queue (built as _record_chasers builds them)."""
    chase, held = _split_held(returns, last, rules)
    return mail.BulkPreview(
        messages=[mail.as_stored(e) for _, _, e in _chaser_emails(session, chase, stage, rules)],
        held=held)


def _chase_cycle(
    session: Session, cycle: Cycle, stage: ChaserStage, *, rules: Rules, run: ChaserRun
) -> None:
    returns = _due_returns(session, cycle, stage)
    _chase_many(session, returns, stage, codes={r.id: stage.code for r in returns},
                due=due_on(stage, cycle), last=_last_chased(session, cycle), rules=rules, run=run)


def _open_cycles(session: Session, only: Cycle | None) -> list[Cycle]:
    query = select(Cycle).where(Cycle.status == CycleStatus.OPEN.value).order_by(Cycle.id)
    if only is not None:
        query = query.where(Cycle.id == only.id)
    return list(session.scalars(query))


def _unsubmitted_returns(session: Session, cycle: Cycle, *, lock: bool = True) -> list[Return]:
    """Returns to consider, locked so that a concurrent run skips them (PostgreSQL); a preview
    reads them without a lock, in agency order."""
    query = (
        select(Return).join(Agency, Agency.id == Return.agency_id)
        .where(Return.cycle_id == cycle.id, Return.status != ReturnStatus.SUBMITTED.value,
               Agency.active.is_(True))
        .options(selectinload(Return.agency).selectinload(Agency.contacts))
    )
    if not lock:
        return list(session.scalars(query.order_by(Agency.name, Return.id)))
    return list(session.scalars(query.order_by(Return.id)
                                .with_for_update(of=Return, skip_locked=True)))


def _sent_codes(session: Session, cycle: Cycle) -> dict[int, set[str]]:
    sent: dict[int, set[str]] = defaultdict(set)
    for return_id, code in session.execute(
        select(Chaser.return_id, Chaser.stage_code)
        .join(Return, Return.id == Chaser.return_id).where(Return.cycle_id == cycle.id)
    ):
        sent[return_id].add(code)
    return sent


def _last_chased(session: Session, cycle: Cycle) -> dict[int, datetime]:
    """When each of the cycle's agencies was last chased, in any cycle (the gap is per agency)."""
    agencies = select(Return.agency_id).where(Return.cycle_id == cycle.id)
    rows = session.execute(
        select(Return.agency_id, func.max(Chaser.recorded_at))
        .join(Chaser, Chaser.return_id == Return.id)
        .where(Return.agency_id.in_(agencies)).group_by(Return.agency_id)
    )
    return {agency_id: last for agency_id, last in rows}


def _latest_due(schedule: list[tuple[date, ChaserStage]], today: date) -> ChaserStage | None:
    due = [(day, stage.position, stage) for day, stage in schedule if day <= today]
    return max(due, key=lambda item: item[:2])[2] if due else None


def _chase_many(
    session: Session, returns: list[Return], stage: ChaserStage, *, codes: dict[int, str],
    due: date | None, last: dict[int, datetime], rules: Rules, run: ChaserRun,
) -> None:
    """Chase each return unless held (no working address, chased too recently)."""
    chase, held = _split_held(returns, last, rules)
    run.held.extend(held)
    recorded = _record_chasers(session, chase, stage, codes=codes, due=due, rules=rules)
    for return_ in chase:
        if return_.id in recorded:  # else a concurrent run recorded this stage first: it sends it
            last[return_.agency_id] = rules.now
            run.sent.append(_sent(return_, stage, codes[return_.id]))


def _split_held(returns: list[Return], last: dict[int, datetime],
                rules: Rules) -> tuple[list[Return], list[tuple[str, str]]]:
    """The returns to chase, and the agencies held with why."""
    chase: list[Return] = []
    held: list[tuple[str, str]] = []
    for return_ in returns:
        why_not = _hold_reason(return_.agency, last.get(return_.agency_id), rules)
        if why_not:
            held.append((return_.agency.name, why_not))
        else:
            chase.append(return_)
    return chase, held


def _hold_reason(agency: Agency, last: datetime | None, rules: Rules) -> str | None:
    if not agency.working_contacts:
        return "no working email address (every contact address bounced): update it"
    if last is not None and working_days_between(uk_today(last), rules.today) < rules.min_gap:
        day = uk_today(last)  # the UK date: a late-evening chaser is the next day's in summer
        return (f"chased on {day.day} {day:%B %Y}, less than {rules.min_gap} working days ago: "
                "the next run sends it")
    return None


def record_chaser(
    session: Session, return_: Return, stage: ChaserStage, *, code: str, due: date | None,
    rules: Rules,
) -> Chaser | None:
    """Insert the chaser and queue its emails together; None if that stage is already recorded."""
    recorded = _record_chasers(session, [return_], stage, codes={return_.id: code}, due=due,
                               rules=rules)
    return session.get(Chaser, recorded[return_.id]) if recorded else None


def _record_chasers(
    session: Session, returns: list[Return], stage: ChaserStage, *, codes: dict[int, str],
    due: date | None, rules: Rules,
) -> dict[int, int]:
    """Record the returns' chasers and queue their emails, set-based; return id -> chaser id for
    the chasers this run recorded (a stage another run recorded first is skipped, not an error:
    the unique (return, stage code) pair decides, on SQLite and PostgreSQL alike)."""
    if not returns:
        return {}
    recorded = _insert_new_chasers(session, [
        {"return_id": r.id, "stage_code": codes[r.id], "stage_id": stage.id, "due_on": due,
         "recorded_at": rules.now, "sent_by_id": rules.user_id} for r in returns])
    mine = [r for r in returns if r.id in recorded]
    emails = _chaser_emails(session, mine, stage, rules)
    message_ids = mail.queue_emails(
        session, [mail.Queued(email, "chaser", contact.id, r.id) for r, contact, email in emails],
        now=rules.now)
    bulk_insert(session, ChaserMessage, (
        {"chaser_id": recorded[r.id], "message_id": message_id}
        for (r, _, _), message_id in zip(emails, message_ids, strict=True)))
    audit.record_many(session, [{"entity_id": r.id, "stage": stage.code, "code": codes[r.id],
                                 "due_on": due} for r in mine],
                      action="chaser.sent", entity_type="return", user_id=rules.user_id)
    return recorded


def _insert_new_chasers(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: return id -> chaser id of the rows inserted."""
    inserted = insert_new(session, Chaser, rows, unique=["return_id", "stage_code"],
                          returning=[Chaser.return_id, Chaser.id])
    return {row[0]: row[1] for row in inserted}


def _chaser_emails(session: Session, returns: list[Return], stage: ChaserStage,
                   rules: Rules) -> list[tuple[Return, Contact, Email]]:
    """Every message a chase of the returns queues, one per working contact: the send and its
    preview both build them here."""
    missed = _missed_cycles(session, returns)
    return [(r, contact, _chaser_email(r, contact, stage, rules, missed=missed[r.id]))
            for r in returns for contact in r.agency.working_contacts]


def _missed_cycles(session: Session, returns: list[Return]) -> dict[int, str | None]:
    """return id -> the cycle its carried-over agency missed: the previous cycle, looked up once
    per cycle (whether or not any return in it was carried over, so the statements are the same
    whatever the data)."""
    previous: dict[int, str | None] = {}
    for return_ in returns:
        if return_.cycle_id not in previous:
            before = previous_cycle(session, return_.cycle)
            previous[return_.cycle_id] = before.label if before is not None else None
    return {r.id: previous[r.cycle_id] if r.carried_over else None for r in returns}


def _chaser_email(return_: Return, contact: Contact, stage: ChaserStage, rules: Rules, *,
                  missed: str | None) -> Email:
    return render_chaser_email(
        subject_template=stage.subject_template, body_template=stage.body_template,
        cycle=return_.cycle, links=rules.links, final=is_final_notice(stage),
        to=Addressee(agency=return_.agency.name, contact=contact.name, email=contact.email),
        missed_cycle=missed, short_tool=return_.variant == Variant.SHORT.value,
        late=late_anchor(stage, return_.cycle, rules.today), sent_on=rules.today,
    )


def _sent(return_: Return, stage: ChaserStage, code: str) -> SentChaser:
    adhoc = code.startswith(ADHOC_PREFIX)
    return SentChaser(
        cycle=return_.cycle.label, agency=return_.agency.name,
        stage=f"Ad-hoc chaser ({stage.name} wording)" if adhoc else stage.name,
        recipients=tuple(c.email for c in return_.agency.working_contacts),
        final=is_final_notice(stage) and not adhoc,
    )


def _queue_final_summary(session: Session, cycle: Cycle, run: ChaserRun, rules: Rules) -> None:
    """After a final-notice run, tell the managers which agencies received one."""
    agencies = sorted({s.agency for s in run.sent if s.final and s.cycle == cycle.label})
    if not agencies:
        return
    managers = session.scalars(
        accounts.with_role(Role.MANAGER, partnership_id=cycle.partnership_id)
        .order_by(User.email))
    for manager in managers:
        email = render_email(
            "final_notice_summary", to=manager.email,
            subject=f"Final notices sent for Compact Audit {cycle.label}: "
                    f"{len(agencies)} {'agency' if len(agencies) == 1 else 'agencies'}",
            cycle_label=cycle.label, agencies=agencies,
            sent_on=f"{rules.today.day} {rules.today:%B %Y}",
            link=f"{rules.links.base_url.rstrip('/')}/chasers/cycles/{cycle.id}",
            partnership=rules.links.partnership, help_email=rules.links.help_email,
        )
        mail.queue_email(session, email, kind="chaser_summary", now=rules.now)
        run.summaries_to.append(manager.email)


def send_adhoc_chaser(
    session: Session, return_: Return, *, now: datetime, links: LinkSettings,
    user_id: int | None = None,
) -> SentChaser:
    """A chaser the manager sends now to one agency, in the wording of its latest due stage."""
    refuse_closed(return_.cycle)
    if return_.is_submitted:
        raise ServiceError(f"{return_.agency.name} has already submitted its return")
    if not return_.agency.working_contacts:
        raise ServiceError(f"Every contact address of {return_.agency.name} bounced: "
                           "update it before chasing")
    rules = Rules(today=uk_today(now), min_gap=0, now=now, links=links, user_id=user_id)
    stage = wording_stage(session, return_.cycle, rules.today)
    code = _adhoc_code(now)
    if record_chaser(session, return_, stage, code=code, due=None, rules=rules) is None:
        raise ServiceError("The chaser could not be recorded: try again")  # a code collision
    return _sent(return_, stage, code)


def refuse_closed(cycle: Cycle) -> None:
    """No chaser for a cycle that is not open: a closed cycle's returns are escalated instead."""
    if cycle.status != CycleStatus.OPEN.value:
        raise ServiceError(f"Cycle {cycle.label} is {cycle.status}: chasers are sent only while "
                           "a cycle is open")


def _adhoc_code(now: datetime) -> str:
    """An ad-hoc chaser's unique stage code (ad-hoc chasers may repeat, unlike stages)."""
    return f"{ADHOC_PREFIX}{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}"


def wording_stage(session: Session, cycle: Cycle, today: date) -> ChaserStage:
    """The stage whose wording suits today: the latest due, or the first before any is due."""
    stages = ensure_default_stages(session, cycle)
    return _latest_due([(due_on(s, cycle), s) for s in stages], today) or stages[0]


def chase_all_overdue(
    session: Session, cycle: Cycle, *, now: datetime, links: LinkSettings,
    min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS, user_id: int | None = None,
    expected: int | None = None,
) -> ChaserRun:
    """An ad-hoc chaser to every agency whose return is past the deadline and not submitted.

    Unlike a chaser to one agency, this bulk action keeps the minimum gap, so an agency chased
    yesterday is not chased again today. With `expected`, as send_due_chasers.
    """
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links,
                  user_id=user_id)
    stage = _overdue_stage(session, cycle, rules.today, now=now)
    if expected is not None:
        _refuse_changed(preview_chase_overdue(session, cycle, now=now, links=links,
                                              min_gap_working_days=min_gap_working_days),
                        expected)
    run = ChaserRun()
    returns = _unsubmitted_returns(session, cycle)
    _chase_many(session, returns, stage, codes={r.id: _adhoc_code(now) for r in returns}, due=None,
                last=_last_chased(session, cycle), rules=rules, run=run)
    return run


def _overdue_stage(session: Session, cycle: Cycle, today: date, *, now: datetime) -> ChaserStage:
    refuse_closed(cycle)
    if not is_past_deadline(cycle, now=now):
        raise ServiceError(f"No return is overdue yet: the deadline is {cycle.deadline:%-d %B %Y}")
    return wording_stage(session, cycle, today)


def preview_chase_overdue(
    session: Session, cycle: Cycle, *, now: datetime, links: LinkSettings,
    min_gap_working_days: int = DEFAULT_MIN_GAP_WORKING_DAYS,
) -> mail.BulkPreview:
    """Every message "chase all overdue agencies" would queue now, and who it would hold."""
    rules = Rules(today=uk_today(now), min_gap=min_gap_working_days, now=now, links=links)
    stage = _overdue_stage(session, cycle, rules.today, now=now)
    return _plan(session, _unsubmitted_returns(session, cycle, lock=False), stage,
                 last=_last_chased(session, cycle), rules=rules)


def addressee_for(return_: Return) -> Addressee:
    """Whom a preview of a return's chaser is addressed to: its first working contact."""
    contacts = return_.agency.working_contacts or return_.agency.contacts
    if not contacts:
        return Addressee(agency=return_.agency.name, contact="", email="(no contact)")
    return Addressee(agency=return_.agency.name, contact=contacts[0].name,
                     email=contacts[0].email)
