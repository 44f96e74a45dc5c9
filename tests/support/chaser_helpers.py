"""Arranging a cycle for the chaser tests and replaying `flask chasers send` day by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, Return, ReturnStatus
from portal.services.chasers import ensure_default_stages
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories

# Friday 25 May 2018: the late May bank holiday (Monday 28 May) falls in the overdue stages.
DEADLINE = date(2018, 5, 25)
EXPECTED_DATES = {
    "Reminder": date(2018, 5, 11),  # 10 working days before: Friday two weeks earlier
    "Due today": date(2018, 5, 25),  # on the deadline
    "Overdue": date(2018, 6, 4),  # 5 working days after: skips the weekend and 28 May
    "Still overdue": date(2018, 6, 11),  # 10 working days after
    "Final notice": date(2018, 6, 25),  # final deadline: 20 working days after the deadline
}


@dataclass
class Arranged:
    cycle: Cycle
    agencies: dict[str, Agency]
    returns: dict[str, Return]


def open_cycle_with(session: Session, names: list[str], *, deadline: date = DEADLINE,
                    label: str = "2018-19", stages: bool = True) -> Arranged:
    """Agencies (lead{n}@... contacts), a cycle for cohort A opened without invitations."""
    agencies = {name: factories.agency(session, name, email=address_of(name)) for name in names}
    cycle = create_cycle(session, label=label, cohort="A", deadline=deadline,
                         now=datetime(2018, 4, 2, 9))
    returns = open_cycle(session, cycle, now=datetime(2018, 4, 2, 9), links=None)
    if stages:
        ensure_default_stages(session, cycle)
    session.commit()
    by_agency = {r.agency.name: r for r in returns}
    return Arranged(cycle=cycle, agencies=agencies, returns=by_agency)


def address_of(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "") + "@agency.example.org"


def submit(session: Session, return_: Return, when: datetime) -> None:
    """Mark a return submitted (the agency's submit journey belongs to the returns feature)."""
    return_.status = ReturnStatus.SUBMITTED.value
    return_.submitted_at = when
    session.commit()


def chasers_send(app: Flask, day: date | datetime, *extra: str) -> Result:
    when = day if isinstance(day, datetime) else datetime.combine(day, datetime.min.time())
    if not isinstance(day, datetime):
        when = when.replace(hour=7)
    with app.app_context():  # as `flask` does; pytest-flask has pushed the session app's context
        result = app.test_cli_runner().invoke(
            args=["chasers", "send", "--now", when.isoformat(timespec="minutes"), *extra])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def subject_of(message: EmailMessage) -> str:
    """The subject as a reader sees it (Python's parser keeps a folded header's leading space)."""
    return " ".join(str(message["Subject"]).split())


def kind_of(subject: str) -> str:
    """The stage an email is, from its subject: "Overdue: X's ..." -> "Overdue",
    "Due today, 25 May 2018: X's ..." -> "Due today"."""
    return subject.strip().split(":", 1)[0].split(",", 1)[0]
