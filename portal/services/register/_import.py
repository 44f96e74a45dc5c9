"""`flask agencies import` and the register's upload: all or nothing, errors by line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Cohort, Sector, Variant
from portal.services.common import ImportRejected, LineError, csv_rows

from ._agencies import AgencyDetails, add_agencies, cohort_sizes, name_problem, smaller_of

REQUIRED = ("name", "sector", "email", "contact_name", "cohort")
OPTIONAL = ("variant",)


@dataclass(frozen=True)
class ImportResult:
    added: int


def import_agencies(session: Session, text: str, *, user_id: int | None = None) -> ImportResult:
    """Add every agency in a CSV, or none if any line has a problem."""
    rows, errors = _parse(text)
    sectors = {s.name.lower(): s for s in session.scalars(select(Sector))}
    existing = {n.lower() for n in session.scalars(select(func.lower(Agency.name)))}
    seen: dict[str, int] = {}
    details: list[tuple[int, AgencyDetails]] = []
    for line, row in rows:
        problems, item = _check_row(row, sectors, existing, seen, line)
        errors += [LineError(f"line {line}", p) for p in problems]
        if item is not None:
            details.append((line, item))
    if errors or not details:
        raise ImportRejected(errors or [LineError("line 2", "the file has no agencies in it")])
    sizes = cohort_sizes(session)
    placed = []
    for _, item in details:
        cohort = item.cohort or smaller_of(sizes)
        sizes[cohort] += 1
        placed.append(_with_cohort(item, cohort))
    return ImportResult(added=add_agencies(session, placed, user_id=user_id))


def _with_cohort(item: AgencyDetails, cohort: str) -> AgencyDetails:
    return AgencyDetails(name=item.name, sector_id=item.sector_id, contact_name=item.contact_name,
                         email=item.email, cohort=cohort, variant=item.variant)


def _parse(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[LineError]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows_read = csv_rows(reader, lambda: reader.line_num)
    header = [h.strip().lower() for h in next(rows_read, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c and c not in REQUIRED + OPTIONAL]
    errors = []
    if missing:
        errors.append(LineError("line 1", f"the header is missing {', '.join(missing)} "
                                f"(expected {','.join(REQUIRED)}[,variant])"))
    if unknown:
        errors.append(LineError("line 1", f"unknown column {', '.join(unknown)}"))
    if errors:
        return [], errors
    rows = []
    for values in rows_read:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(LineError(f"line {line}",
                                    f"has {len(values)} values; expected {len(header)}"))
            continue
        rows.append((line, {k: v.strip() for k, v in zip(header, values, strict=True)}))
    return rows, errors


def _check_row(
    row: dict[str, str], sectors: dict[str, Sector], existing: set[str], seen: dict[str, int],
    line: int,
) -> tuple[list[str], AgencyDetails | None]:
    problems = []
    name, key = row["name"], row["name"].lower()
    problem = name_problem(name)
    if problem:
        problems.append(problem[0].lower() + problem[1:])
    elif key in existing:
        problems.append(f"an agency called {name} is already in the register")
    elif key in seen:
        problems.append(f"{name} is also on line {seen[key]}")
    seen.setdefault(key, line)
    sector = sectors.get(row["sector"].lower())
    if sector is None:
        problems.append(f"unknown sector {row['sector']!r} (known: "
                        f"{', '.join(s.name for s in sectors.values())})")
    email = _email(row["email"], problems)
    contact_problem = name_problem(row["contact_name"], what="contact name")
    if contact_problem:
        problems.append(contact_problem[0].lower() + contact_problem[1:])
    cohort = row["cohort"].upper()
    if cohort and cohort not in {c.value for c in Cohort}:
        problems.append(f"cohort must be A or B (or blank for the smaller cohort), not {cohort!r}")
    variant = row.get("variant", "").lower()
    if variant and variant not in {v.value for v in Variant}:
        problems.append(f"variant must be full, schools or short, not {variant!r}")
    if problems or sector is None:
        return problems, None
    return [], AgencyDetails(name=name, sector_id=sector.id, contact_name=row["contact_name"],
                             email=email, cohort=cohort or None, variant=variant or None)


def _email(value: str, problems: list[str]) -> str:
    from email_validator import (  # lazily: its tables cost 20 ms of every start
        EmailNotValidError,
        validate_email,
    )

    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems.append(f"enter a valid email address, not {value!r}")
        return value
