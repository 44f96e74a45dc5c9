"""`flask demo load`: a realistic, deterministic demo partnership."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from portal.models import (
    FIRST_PARTNERSHIP_ID,
    Action,
    Agency,
    Answer,
    Contact,
    Cycle,
    Evidence,
    Grade,
    PartnershipMember,
    Return,
    ReturnStatus,
    Role,
    Sector,
    Standard,
    User,
)
from portal.services import accounts, tools
from portal.services.accounts import LinkSettings, hash_password
from portal.services.common import ServiceError
from portal.services.cycles import create_cycle, issue_survey_links, open_cycle

from . import _activity as demo_activity
from . import _story as story
from ._constants import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_KEY
from ._recommendations import record_demo_recommendations
from ._timeline import CyclePlan, Timeline, dated

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


def _refresh_statistics(session: Session) -> None:
    """On PostgreSQL, ANALYZE the tables just filled (in this transaction, so it counts these
    rows): with statistics saying they are empty, the report's queries chose nested loops that
    ran for many minutes."""
    if session.get_bind().dialect.name == "postgresql":
        session.flush()
        session.execute(text("ANALYZE"))


def load_demo(session: Session, *, now: datetime, with_password: bool = True,
              links: LinkSettings | None = None,
              survey_min: int = story.SURVEY_MIN_RESPONSES) -> DemoSummary:
    """Create the demo partnership in an empty database (refuses if agencies exist), its story
    told at `now`: nothing has happened after it except what is genuinely still to come.

    The accounts share the published DEMO_PASSWORD, and the staff (who need a second factor)
    the published DEMO_TOTP_KEY, or have neither when not `with_password` (production: there
    the demo password is never accepted). `survey_min` is
    the survey's release threshold: one agency's responses reach it, another's fall short."""
    if session.scalar(select(Agency.id).limit(1)) is not None:
        raise ServiceError("The database already has agencies; the demo loads into an empty one")
    # A reproducible demo, not a secret: accepted in bandit-findings.md.
    rng = random.Random(SEED)  # nosec B311
    clock = Timeline(now)
    links = links or story.default_links()
    password = hash_password(DEMO_PASSWORD) if with_password else None
    tools.load_tool(session, tools.TOOLS_DIR / "compact-audit-2026.1.json")  # the past cycles'
    sectors = {s.name: s for s in session.scalars(select(Sector))}
    agencies = _agencies(session, sectors, rng, clock)
    users = _users(session, agencies, password, clock)
    returns = _history(session, rng, clock, links=links)
    users += story.tell(session, clock, rng, survey_min=survey_min, links=links,
                        password=password)
    if with_password:
        accounts.set_up_known_key(session, DEMO_TOTP_KEY, now=clock.founded)
    _refresh_statistics(session)
    story.publish(session)
    story.date_setup(session, clock)
    return DemoSummary(len(agencies), users, 3, returns)


def _agencies(session: Session, sectors: dict[str, Sector], rng: random.Random,
              clock: Timeline) -> list[Agency]:
    names: set[str] = set()
    agencies = []
    founded = clock.founded
    for sector_name, (count, pattern, _) in SECTOR_MIX.items():
        for n in range(count):
            name = _unique_name(pattern, rng, names)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
            agency = Agency(
                name=name, sector=sectors[sector_name], cohort="AB"[n % 2],
                variant="schools" if sector_name == "Schools and colleges"
                else "short" if sector_name == "Voluntary and community" and n % 3 else "full",
                created_at=founded, updated_at=founded,
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


def _users(session: Session, agencies: list[Agency], password: str | None,
           clock: Timeline) -> int:
    people: list[tuple[str, str, Role, Agency | None]] = [
        (name, f"{local}@{DEMO_DOMAIN}", role, None) for name, local, role in STAFF]
    people += [(name, f"member{i}@{DEMO_DOMAIN}", Role.MODERATOR, None)
               for i, name in enumerate(MEMBERS, 1)]
    school, voluntary = story_agencies(agencies)
    people += [(_lead(school, f"agency@{DEMO_DOMAIN}"), f"agency@{DEMO_DOMAIN}", Role.AGENCY, school),
               ("Jo Deputy", f"agency2@{DEMO_DOMAIN}", Role.AGENCY, school),
               (_lead(voluntary, f"voluntary@{DEMO_DOMAIN}"), f"voluntary@{DEMO_DOMAIN}",
                Role.AGENCY, voluntary)]
    for name, email, role, agency in people:
        user = User(name=name, email=email, password_hash=password, created_at=clock.founded)
        session.add(PartnershipMember(user=user, partnership_id=FIRST_PARTNERSHIP_ID,
                                      role=role.value, agency=agency, created_at=clock.founded))
    session.flush()
    return len(people)


def story_agencies(agencies: list[Agency]) -> tuple[Agency, Agency]:
    """The school of agency@ and agency2@, and the voluntary group of voluntary@ (both cohort A:
    the open cycle's)."""
    school = next(a for a in agencies if a.sector.name == "Schools and colleges" and a.cohort == "A")
    voluntary = next(a for a in agencies if a.sector.name == "Voluntary and community"
                     and a.cohort == "A" and a.variant == "short")
    return school, voluntary


def _lead(agency: Agency, email: str) -> str:
    """The agency's safeguarding lead signs in with `email`: the contact the portal writes to."""
    contact = agency.primary_contact
    assert contact is not None
    contact.email = email
    return contact.name


def _history(session: Session, rng: random.Random, clock: Timeline, *,
             links: LinkSettings) -> int:
    """Two closed cycles with returns, and the current one open with some progress."""
    total = 0
    made = []
    in_progress = {a.id for a in story_agencies(list(session.scalars(
        select(Agency).order_by(Agency.id))))}
    for n, plan in enumerate(clock.plans()):
        if n == 1:
            tools.load_tool(session)  # the current edition: the short tool's words, the survey
        cycle = _issue(session, plan, links=links if n == 2 else None)
        _fill(session, cycle, rng, rate=(0.96, None, 0.3)[n], historic=n < 2,
              clock=clock, in_progress=in_progress)
        session.flush()
        if n < 2:
            demo_activity.close_as_history(session, cycle)
        total += session.scalar(select(func.count(Return.id)).where(Return.cycle_id == cycle.id)) or 0
        made.append(cycle)
    demo_activity.moderate(session, made[0], rng, clock=clock, done=True)
    demo_activity.moderate(session, made[1], rng, clock=clock, done=False)
    record_demo_recommendations(session, made[1], clock=clock)
    demo_activity.prepare_chasers(session, made[2])
    session.flush()
    return total


def _issue(session: Session, plan: CyclePlan, *, links: LinkSettings | None) -> Cycle:
    """Create and open a cycle at its planned date (the open one emails its invitations)."""
    with dated(session, plan.opened):
        cycle = create_cycle(session, label=plan.label, cohort=plan.cohort,
                             deadline=plan.deadline, now=plan.opened)
        open_cycle(session, cycle, now=plan.opened, links=links)
        if links is None:
            issue_survey_links(session, cycle, now=plan.opened)
    return cycle


def _fill(session: Session, cycle: Cycle, rng: random.Random, *, rate: float | None,
          historic: bool, clock: Timeline, in_progress: set[int]) -> None:
    """Answers, evidence and actions: each return submitted, in progress or not started."""
    tool = tools.get_tool(session, cycle.tool_version.version)
    rows: dict[type, list[dict[str, object]]] = {Answer: [], Evidence: [], Action: []}
    for return_ in session.scalars(select(Return).where(Return.cycle_id == cycle.id)
                                   .order_by(Return.id)):
        sector = return_.agency.sector.name
        chance = rate if rate is not None else SECTOR_MIX[sector][2]
        roll = rng.random()
        if not historic and return_.agency_id in in_progress:
            roll = chance  # the demo accounts' agencies: their return is under way
        if roll >= chance and (historic or roll >= chance + 0.3):
            continue  # not returned (or, in the open cycle, not started)
        submitted = roll < chance
        when = _worked_on(cycle, rng, historic=historic, now=clock.now)
        _mark(return_, submitted=submitted, when=when)
        for standard in tool.standards:
            if not submitted and rng.random() < 0.5:
                continue  # in progress: about half the standards done
            _answer_standard(rows, return_, standard, cycle, rng, when=when, historic=historic)
    for model, made in rows.items():
        if made:
            session.execute(insert(model), made)


def _worked_on(cycle: Cycle, rng: random.Random, *, historic: bool, now: datetime) -> datetime:
    """When a return was last worked on: around the deadline in the past, since the issue now."""
    if historic:
        return datetime.combine(cycle.deadline - timedelta(days=rng.randint(-10, 30)), time(14))
    assert cycle.opened_at is not None
    days = max((now.date() - cycle.opened_at.date()).days - 1, 1)
    when = datetime.combine(cycle.opened_at.date() + timedelta(days=rng.randint(1, days)), time(14))
    return min(when, now - timedelta(hours=1))


def _answer_standard(rows: dict[type, list[dict[str, object]]], return_: Return,
                     standard: Standard, cycle: Cycle, rng: random.Random, *, when: datetime,
                     historic: bool) -> None:
    sector = return_.agency.sector.name
    questions = [q for q in standard.questions if q.in_variant(return_.variant)]
    for q in questions:
        grade = _grade(rng, standard.code, q.code, sector, historic)
        rows[Answer].append({"return_id": return_.id, "question_id": q.id, "grade": grade,
                             "na_reason": "Not relevant to our service" if grade ==
                             Grade.NOT_APPLICABLE.value else None, "updated_at": when})
        if grade in (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value):
            rows[Action].append({"return_id": return_.id, "question_id": q.id,
                                 "what": "Review and update our arrangements; report to the "
                                         "board", "who": "Designated safeguarding lead",
                                 "by_when": cycle.deadline + timedelta(days=120)})
    if questions:
        rows[Evidence].append({"return_id": return_.id, "standard_id": standard.id,
                               "text": EVIDENCE.format(title=standard.title.lower()),
                               "updated_at": when})


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
