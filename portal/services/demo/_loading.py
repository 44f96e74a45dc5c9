"""`flask demo load`: a realistic, deterministic demo partnership."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.models import (
    Action,
    Agency,
    Answer,
    Contact,
    Cycle,
    CycleStatus,
    Evidence,
    Grade,
    Return,
    ReturnStatus,
    Role,
    Sector,
    User,
)
from portal.services import tools
from portal.services.accounts import hash_password
from portal.services.common import ServiceError
from portal.services.cycles import create_cycle, open_cycle

from . import _activity as demo_activity
from ._recommendations import record_demo_recommendations

# The published demo password (README), accepted in bandit-findings.md.
DEMO_PASSWORD = "compact-audit-demo"  # nosec B105
DEMO_DOMAIN = "demo.example.org"
SEED = 2017

# Sector name -> (number of agencies, name pattern, probability of returning in a bad year)
SECTOR_MIX: dict[str, tuple[int, str, float]] = {
    "Statutory": (8, "{place} {statutory}", 1.0),
    "Health": (10, "{place} {health}", 1.0),
    "GP practices": (40, "{place} Medical Practice", 0.9),
    "Schools and colleges": (70, "{place} {school}", 0.9),
    "Early years": (40, "{place} {nursery}", 0.85),
    "Voluntary and community": (44, "{place} {voluntary}", 0.4),
    "Sports and culture": (8, "{place} {sport}", 0.75),
    "Faith groups": (6, "{place} {faith}", 0.7),
    "Commercial": (2, "{place} {commercial}", 0.8),
}
WORDS = {
    "statutory": ["Children's Services", "Youth Justice Service", "Police Division", "Probation Unit",
                  "Housing Services", "Fire and Rescue", "Adult Social Care", "Leisure Services"],
    "health": ["Hospitals NHS Trust", "Community Health NHS Trust", "Mental Health Trust",
               "Integrated Care Board", "Ambulance Service", "Dental Services"],
    "school": ["Primary School", "Academy", "High School", "Infant School", "Junior School",
               "College", "CofE Primary School", "Special School"],
    "nursery": ["Day Nursery", "Pre-School", "Children's Centre", "Playgroup"],
    "voluntary": ["Youth Club", "Scouts", "Young Carers", "Family Support Group", "Food Bank",
                  "Community Association", "Toy Library", "Befriending Project"],
    "sport": ["Football Club", "Swimming Club", "Library Service", "Theatre Trust"],
    "faith": ["Methodist Church", "Mosque Education Centre", "Gurdwara", "Parish Church"],
    "commercial": ["Taxi Company", "Holiday Activities Ltd"],
}
PLACES = [
    "Abbeydale", "Ashby", "Barrowfield", "Beechwood", "Bramley", "Brookside", "Castlegate",
    "Cherry Tree", "Claremont", "Coldwell", "Crossways", "Dale End", "Eastfield", "Elmhurst",
    "Fairview", "Fernlea", "Foxhill", "Glenfield", "Greenacres", "Hallam", "Hawthorn", "Highbury",
    "Hillside", "Holmewood", "Kingsway", "Lakeside", "Larkspur", "Longley", "Maple Grove",
    "Meadowbank", "Millbrook", "Moorside", "Netherton", "Northgate", "Oakwood", "Orchard",
    "Parkside", "Pinfold", "Queensbury", "Redhill", "Riverside", "Rosehill", "St Anne's",
    "St Mary's", "Sandygate", "Southey", "Springfield", "Stanton", "Thornbury", "Underwood",
    "Valley Road", "Westfield", "Whinmoor", "Willowbrook", "Woodseats", "Wybourn",
]
WEAK_STANDARDS = {"6": 0.30, "12": 0.28, "11": 0.25, "10": 0.15, "4": 0.12}
NA_PRONE = {"12.1": {"GP practices", "Early years", "Schools and colleges"}}
STAFF = [("Partnerships Manager", "manager", Role.MANAGER), ("MESC Chair", "mesc", Role.COMMITTEE)]
MEMBERS = ["Alex Board", "Bea Carter", "Chris Dunn", "Dee Evans", "Eli Fraser"]


@dataclass(frozen=True)
class DemoSummary:
    agencies: int
    users: int
    cycles: int
    returns: int


def load_demo(session: Session, *, now: datetime, with_password: bool = True) -> DemoSummary:
    """Create the demo partnership in an empty database (refuses if agencies exist).

    The accounts share the published DEMO_PASSWORD, or have no password at all when not
    `with_password` (production: there the demo password is never accepted)."""
    if session.scalar(select(Agency.id).limit(1)) is not None:
        raise ServiceError("The database already has agencies; the demo loads into an empty one")
    # A reproducible demo, not a secret: accepted in bandit-findings.md.
    rng = random.Random(SEED)  # nosec B311
    tools.load_tool(session, tools.TOOLS_DIR / "compact-audit-2026.1.json")  # the past cycles'
    sectors = {s.name: s for s in session.scalars(select(Sector))}
    agencies = _agencies(session, sectors, rng)
    users = _users(session, agencies, hash_password(DEMO_PASSWORD) if with_password else None)
    returns = _history(session, rng, now=now)
    return DemoSummary(len(agencies), users, 3, returns)


def _agencies(session: Session, sectors: dict[str, Sector], rng: random.Random) -> list[Agency]:
    names: set[str] = set()
    agencies = []
    for sector_name, (count, pattern, _) in SECTOR_MIX.items():
        for n in range(count):
            name = _unique_name(pattern, rng, names)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
            agency = Agency(
                name=name, sector=sectors[sector_name], cohort="AB"[n % 2],
                variant="schools" if sector_name == "Schools and colleges"
                else "short" if sector_name == "Voluntary and community" and n % 3 else "full",
            )
            agency.contacts = [Contact(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                       email=f"dsl@{slug}.{DEMO_DOMAIN}", is_primary=True)]
            agencies.append(agency)
    session.add_all(agencies)
    session.flush()
    return agencies


FIRST = ["Sam", "Jo", "Priya", "Tom", "Aisha", "Mark", "Helen", "Ravi", "Grace", "Owen", "Fatima"]
LAST = ["Patel", "Smith", "Khan", "Jones", "Brown", "Walker", "Ahmed", "Taylor", "Wright", "Hill"]


def _unique_name(pattern: str, rng: random.Random, taken: set[str]) -> str:
    while True:
        fields = {key: rng.choice(words) for key, words in WORDS.items()}
        name = pattern.format(place=rng.choice(PLACES), **fields)
        if name not in taken:
            taken.add(name)
            return name


def _users(session: Session, agencies: list[Agency], password: str | None) -> int:
    people: list[tuple[str, str, Role, Agency | None]] = [
        (name, f"{local}@{DEMO_DOMAIN}", role, None) for name, local, role in STAFF]
    people += [(name, f"member{i}@{DEMO_DOMAIN}", Role.MODERATOR, None)
               for i, name in enumerate(MEMBERS, 1)]
    school = next(a for a in agencies if a.sector.name == "Schools and colleges" and a.cohort == "A")
    voluntary = next(a for a in agencies if a.sector.name == "Voluntary and community"
                     and a.cohort == "A" and a.variant == "short")
    people += [("School safeguarding lead", f"agency@{DEMO_DOMAIN}", Role.AGENCY, school),
               ("School deputy lead", f"agency2@{DEMO_DOMAIN}", Role.AGENCY, school),
               ("Group volunteer lead", f"voluntary@{DEMO_DOMAIN}", Role.AGENCY, voluntary)]
    for name, email, role, agency in people:
        session.add(User(name=name, email=email, role=role.value, agency=agency,
                         password_hash=password))
    session.flush()
    return len(people)


def _history(session: Session, rng: random.Random, *, now: datetime) -> int:
    """Two closed cycles with returns, and the current one open with some progress."""
    plan = [("2024-25", "A", date(2025, 1, 31), 0.96, CycleStatus.CLOSED),
            ("2025-26", "B", date(2026, 1, 30), None, CycleStatus.CLOSED),
            ("2026-27", "A", date(2027, 1, 29), 0.3, CycleStatus.OPEN)]
    total = 0
    made = []
    for label, cohort, deadline, rate, status in plan:
        if status == CycleStatus.OPEN:
            tools.load_tool(session)  # the current edition, with the short tool in its own words
        opened = datetime.combine(deadline - timedelta(days=70), time(9))
        cycle = create_cycle(session, label=label, cohort=cohort, deadline=deadline, now=opened)
        returns = open_cycle(session, cycle, now=opened, links=None)
        _fill(session, cycle, returns, rng, rate=rate, historic=status == CycleStatus.CLOSED)
        session.flush()
        if status == CycleStatus.CLOSED:
            demo_activity.close_as_history(session, cycle)
        total += len(returns)
        made.append(cycle)
    demo_activity.moderate(session, made[1], rng)
    record_demo_recommendations(session, made[1])
    demo_activity.prepare_chasers(session, made[2])
    session.flush()
    return total


def _fill(session: Session, cycle: Cycle, returns: list[Return], rng: random.Random, *,
          rate: float | None, historic: bool) -> None:
    tool = tools.get_tool(session, cycle.tool_version.version)
    answers: list[dict[str, object]] = []
    evidence: list[dict[str, object]] = []
    actions: list[dict[str, object]] = []
    for return_ in returns:
        sector = return_.agency.sector.name
        chance = rate if rate is not None else SECTOR_MIX[sector][2]
        roll = rng.random()
        if roll >= chance and (historic or roll >= chance + 0.3):
            continue  # not returned (or, in the open cycle, not started)
        submitted = roll < chance
        when = datetime.combine(cycle.deadline - timedelta(days=rng.randint(-10, 30)), time(14))
        _mark(return_, submitted=submitted, when=when)
        for standard in tool.standards:
            questions = [q for q in standard.questions if q.in_variant(return_.variant)]
            if not submitted and rng.random() < 0.5:
                continue  # in progress: about half the standards done
            for q in questions:
                grade = _grade(rng, standard.code, q.code, sector, historic)
                answers.append({"return_id": return_.id, "question_id": q.id, "grade": grade,
                                "na_reason": "Not relevant to our service" if grade ==
                                Grade.NOT_APPLICABLE.value else None, "updated_at": when})
                if grade in (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value):
                    actions.append({"return_id": return_.id, "question_id": q.id,
                                    "what": "Review and update our arrangements; report to the "
                                            "board", "who": "Designated safeguarding lead",
                                    "by_when": cycle.deadline + timedelta(days=120)})
            if questions:
                evidence.append({"return_id": return_.id, "standard_id": standard.id,
                                 "text": EVIDENCE.format(title=standard.title.lower()),
                                 "updated_at": when})
    for model, rows in ((Answer, answers), (Evidence, evidence), (Action, actions)):
        if rows:
            session.execute(insert(model), rows)


def _mark(return_: Return, *, submitted: bool, when: datetime) -> None:
    return_.status = ReturnStatus.SUBMITTED.value if submitted else ReturnStatus.IN_PROGRESS.value
    return_.last_activity_at = when
    if submitted:
        return_.submitted_at = when
        return_.declaration_name = return_.agency.primary_contact.name  # type: ignore[union-attr]
        return_.declaration_role = "Designated safeguarding lead"
        if return_.variant == "short":  # the short tool's one evidence box
            return_.overall_evidence = ("Our written rules, the list of who has had training, "
                                        "and notes from our meetings.")


EVIDENCE = ("Our {title} arrangements are set out in policy, reviewed annually by the board. "
            "Staff records, training logs and meeting minutes are available for inspection.")


def _grade(rng: random.Random, standard: str, question: str, sector: str, historic: bool) -> str | None:
    if sector in NA_PRONE.get(question, set()) and rng.random() < 0.6:
        return None if historic and rng.random() < 0.15 else Grade.NOT_APPLICABLE.value
    if historic and rng.random() < 0.01:
        return None  # historic imports hold blanks: not answered
    weak = WEAK_STANDARDS.get(standard, 0.06) * (1.5 if sector == "Voluntary and community" else 1)
    roll = rng.random()
    if roll < weak * 0.3:
        return Grade.INADEQUATE.value
    if roll < weak:
        return Grade.REQUIRES_IMPROVEMENT.value
    return Grade.OUTSTANDING.value if roll > 0.8 else Grade.GOOD.value
