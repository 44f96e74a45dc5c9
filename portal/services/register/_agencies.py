"""The agency register: search, add, edit, deactivate, move between cohorts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, Cohort, Contact, Sector, Variant
from portal.services import audit
from portal.services.common import (
    Invalid,
    NotFound,
    Problem,
    bulk_insert,
    insert_returning_ids,
    text_message,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class AgencyFilter:
    query: str = ""
    sector_id: int | None = None
    cohort: str | None = None
    active: bool | None = True


@dataclass(frozen=True)
class AgencyDetails:
    """What a manager enters for an agency."""

    name: str
    sector_id: int
    contact_name: str
    email: str
    cohort: str | None = None  # None: the smaller cohort
    variant: str | None = None  # None: the sector's usual variant
    clear_bounce: bool = False  # the contact's address works again


def sectors(session: Session) -> list[Sector]:
    return list(session.scalars(select(Sector).order_by(Sector.position, Sector.name)))


def search_agencies(
    session: Session, filters: AgencyFilter, *, page: int = 1
) -> tuple[list[Agency], int]:
    """One page of agencies matching the filters, and the total number matching."""
    query = select(Agency)
    if filters.query:
        query = query.where(func.lower(Agency.name).contains(filters.query.strip().lower()))
    if filters.sector_id:
        query = query.where(Agency.sector_id == filters.sector_id)
    if filters.cohort:
        query = query.where(Agency.cohort == filters.cohort)
    if filters.active is not None:
        query = query.where(Agency.active.is_(filters.active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Agency.contacts))
        .order_by(Agency.name)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows), total


def get_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("No such agency")
    return agency


def cohort_sizes(session: Session) -> dict[str, int]:
    """Active agencies per cohort."""
    rows = session.execute(
        select(Agency.cohort, func.count()).where(Agency.active.is_(True)).group_by(Agency.cohort)
    )
    sizes = {c.value: 0 for c in Cohort}
    sizes.update({cohort: count for cohort, count in rows})
    return sizes


def smaller_cohort(session: Session) -> str:
    """The cohort a new agency joins unless the manager says otherwise (A on a tie)."""
    return smaller_of(cohort_sizes(session))


def smaller_of(sizes: dict[str, int]) -> str:
    """The smaller cohort given their sizes (A on a tie): the rule of DESIGN.md section 4."""
    return min(sizes, key=lambda c: (sizes[c], c))


NAME_LIMIT = 200


def name_problem(name: str, *, what: str = "agency name") -> str | None:
    """Why a name cannot be stored (it goes into email subjects and spreadsheets), or None: the
    text policy's rule for names (services.common), so no control, bidi or zero-width character."""
    if not name.strip():
        return f"Enter the {what}"
    return text_message(f"The {what}", name, kind="name", limit=NAME_LIMIT)


def default_variant(sector: Sector) -> str:
    """The tool a new agency in this sector gets unless the manager chooses (the sector list's)."""
    return sector.default_variant or Variant.FULL.value


def add_agency(session: Session, details: AgencyDetails, *, user_id: int | None = None) -> Agency:
    """Add an agency with its primary contact."""
    _check_names(details)
    _check_name_free(session, details.name)
    sector = _sector(session, details.sector_id)
    agency = Agency(
        name=details.name.strip(),
        sector=sector,
        cohort=details.cohort or smaller_cohort(session),
        variant=details.variant or default_variant(sector),
        active=True,
    )
    agency.contacts = [
        Contact(name=details.contact_name.strip(), email=details.email.strip().lower(),
                is_primary=True)
    ]
    session.add(agency)
    session.flush()
    audit.record(session, action="agency.added", entity_type="agency", entity_id=agency.id,
                 user_id=user_id, name=agency.name, cohort=agency.cohort)
    return agency


def add_agencies(session: Session, details: list[AgencyDetails], *,
                 user_id: int | None = None) -> int:
    """Add many checked agencies (each with a cohort) and their primary contacts, set-based."""
    sector_of = {s.id: s for s in session.scalars(select(Sector))}
    rows = [{"name": d.name.strip(), "sector_id": d.sector_id, "cohort": d.cohort,
             "variant": d.variant or default_variant(sector_of[d.sector_id]), "active": True}
            for d in details]
    ids = insert_returning_ids(session, Agency, rows)
    bulk_insert(session, Contact, (
        {"agency_id": agency_id, "name": d.contact_name.strip(), "email": d.email.strip().lower(),
         "is_primary": True} for agency_id, d in zip(ids, details, strict=True)))
    audit.record_many(session, [{"entity_id": agency_id, "name": row["name"], "cohort": row["cohort"]}
                                for agency_id, row in zip(ids, rows, strict=True)],
                      action="agency.added", entity_type="agency", user_id=user_id)
    return len(ids)


def update_agency(
    session: Session, agency: Agency, details: AgencyDetails, *, user_id: int | None = None
) -> Agency:
    """Change an agency's details and primary contact; a cohort change is recorded as a move."""
    _check_names(details)
    if details.name.strip().lower() != agency.name.lower():
        _check_name_free(session, details.name)
    agency.name = details.name.strip()
    agency.sector = _sector(session, details.sector_id)
    agency.variant = details.variant or agency.variant
    _set_primary_contact(agency, details.contact_name, details.email,
                         clear_bounce=details.clear_bounce)
    if details.cohort and details.cohort != agency.cohort:
        move_cohort(session, agency, details.cohort, user_id=user_id)
    session.flush()
    audit.record(session, action="agency.updated", entity_type="agency", entity_id=agency.id,
                 user_id=user_id, name=agency.name)
    return agency


def _set_primary_contact(
    agency: Agency, name: str, email: str, *, clear_bounce: bool = False
) -> None:
    email = email.strip().lower()
    contact = agency.primary_contact
    if contact is None:
        agency.contacts.append(Contact(name=name.strip(), email=email, is_primary=True))
        return
    if contact.email != email or clear_bounce:
        contact.bounced_at = None  # a new (or mended) address gets a fresh start
        contact.bounce_reason = None
    contact.name = name.strip()
    contact.email = email


def move_cohort(
    session: Session, agency: Agency, cohort: str, *, user_id: int | None = None
) -> None:
    """Move an agency to the other cohort, recording who moved it."""
    if cohort not in {c.value for c in Cohort}:
        raise Invalid.at("cohort", "Select cohort A or B")
    if cohort == agency.cohort:
        return
    audit.record(session, action="agency.cohort_moved", entity_type="agency",
                 entity_id=agency.id, user_id=user_id, old=agency.cohort, new=cohort)
    agency.cohort = cohort


def set_active(
    session: Session, agency: Agency, active: bool, *, user_id: int | None = None
) -> None:
    """Deactivate (no longer issued the audit) or reactivate an agency."""
    agency.active = active
    audit.record(session, action="agency.activated" if active else "agency.deactivated",
                 entity_type="agency", entity_id=agency.id, user_id=user_id)


def _sector(session: Session, sector_id: int) -> Sector:
    sector = session.get(Sector, sector_id)
    if sector is None:
        raise Invalid.at("sector", "Select a sector")
    return sector


def _check_names(details: AgencyDetails) -> None:
    problems = [Problem(field, problem) for field, problem in (
        ("name", name_problem(details.name)),
        ("contact_name", name_problem(details.contact_name, what="contact's name")),
        ("cohort", "Select cohort A or B, or the smaller cohort"
         if details.cohort and details.cohort not in {c.value for c in Cohort} else None),
    ) if problem]
    if problems:
        raise Invalid(problems)


def _check_name_free(session: Session, name: str) -> None:
    taken = session.scalar(
        select(Agency.id).where(func.lower(Agency.name) == name.strip().lower())
    )
    if taken is not None:
        raise Invalid.at("name", f"An agency called {name.strip()} is already in the register")
