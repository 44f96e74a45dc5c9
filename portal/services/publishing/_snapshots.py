"""Published reports: a closed cycle's report figures as published, kept in versions.

The caller (the reporting capability) counts the report and makes its JSON; this capability stores
the JSON and the report data, numbers the versions and says what changed between them. A version
is never changed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, PublishedFigures, PublishedReport
from portal.services import audit
from portal.services.common import Invalid, NotFound, Refused


def latest_published(session: Session, cycle: Cycle) -> PublishedReport | None:
    """The version of the cycle's report now published, or None before the first."""
    return session.scalar(select(PublishedReport).where(PublishedReport.cycle_id == cycle.id)
                          .order_by(PublishedReport.version.desc()).limit(1))


def published_versions(session: Session, cycle: Cycle) -> list[PublishedReport]:
    """Every published version of the cycle's report, the newest first."""
    return list(session.scalars(select(PublishedReport)
                                .where(PublishedReport.cycle_id == cycle.id)
                                .order_by(PublishedReport.version.desc())))


def published_version(session: Session, cycle: Cycle, version: int) -> PublishedReport:
    found = session.scalar(select(PublishedReport).where(
        PublishedReport.cycle_id == cycle.id, PublishedReport.version == version))
    if found is None:
        raise NotFound(f"No version {version} of the {cycle.label} report")
    return found


def publish(session: Session, cycle: Cycle, *, content: str, now: datetime,
            user_id: int | None = None, reason: str = "",
            figures: dict[str, str] | None = None) -> PublishedReport:
    """Store the report's JSON as the next published version of a closed cycle's report.

    The first version is stored when the cycle closes; a later one (a republish) needs a reason
    and changed figures, and records what changed. `figures` holds the report data behind the
    JSON, by sector ("" for all sectors), as the reporting capability stores it."""
    if cycle.status != CycleStatus.CLOSED.value:
        raise Refused(f"Cycle {cycle.label} is {cycle.status}: only a closed cycle's "
                      "report is published")
    previous = latest_published(session, cycle)
    changes: list[str] = []
    if previous is not None:
        if not reason.strip():
            raise Invalid.at("reason", "Enter why you are republishing the report")
        changes = describe_changes(previous.content, content)
        if not changes:
            raise Refused(f"The figures are the same as version {previous.version}: "
                          "there is nothing to republish")
    version = (session.scalar(select(func.max(PublishedReport.version))
                              .where(PublishedReport.cycle_id == cycle.id)) or 0) + 1
    published = PublishedReport(cycle=cycle, version=version, content=content,
                                reason=reason.strip(), changes="\n".join(changes),
                                published_at=now, published_by_id=user_id)
    session.add(published)
    session.flush()
    store_figures(session, published, figures or {})
    audit.record(session, action="report.published", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, label=cycle.label, version=version, reason=reason.strip(),
                 changes=changes)
    return published


def describe_changes(old: str, new: str) -> list[str]:
    """Sentences naming each headline figure and standard that differs between two reports."""
    before, after = json.loads(old), json.loads(new)
    changes = [f"{label}: {before.get(key)} then, {after.get(key)} now"
               for key, label in (("issued", "Returns issued"), ("returned", "Returns received"))
               if before.get(key) != after.get(key)]
    old_standards = _standards(before)
    for code, (title, figures) in _standards(after).items():
        was = old_standards.get(code, (title, ()))[1]
        if was != figures:
            changes.append(f"Standard {code} ({title}): {_counts(was)} then, "
                           f"{_counts(figures)} now")
    moderation_before = before.get("moderation", {}).get("visits_completed")
    moderation_after = after.get("moderation", {}).get("visits_completed")
    if moderation_before != moderation_after:
        changes.append(f"Moderation visits completed: {moderation_before} then, "
                       f"{moderation_after} now")
    return changes


def _counts(figures: tuple[Any, ...]) -> str:
    if not figures:
        return "not reported"
    graded, weak, not_applicable, not_answered, _ = figures
    return (f"{weak} of {graded} graded answers weak, {not_applicable} N/A, "
            f"{not_answered} not answered")


def _standards(report: dict[str, Any]) -> dict[str, tuple[str, tuple[Any, ...]]]:
    keys = ("graded", "weak", "not_applicable", "not_answered", "weakness")
    return {s["code"]: (s["title"], tuple(s.get(k) for k in keys))
            for s in report.get("standards", [])}


def store_figures(session: Session, published: PublishedReport, figures: dict[str, str]) -> None:
    """Keep the report data behind a published version, by sector ("" for all sectors)."""
    session.add_all(PublishedFigures(published_report_id=published.id, sector=sector,
                                     report=report) for sector, report in figures.items())
    session.flush()


def stored_figures(session: Session, published: PublishedReport, sector: str = "") -> str | None:
    """The stored report data of a published version for one sector ("" for all), if kept."""
    return session.scalar(select(PublishedFigures.report).where(
        PublishedFigures.published_report_id == published.id, PublishedFigures.sector == sector))


def has_figures(session: Session, published: PublishedReport) -> bool:
    """Whether the version's report data is kept (versions published before it was are not)."""
    return session.scalar(select(func.count()).select_from(PublishedFigures).where(
        PublishedFigures.published_report_id == published.id)) != 0


def published_cycle_ids(session: Session) -> set[int]:
    """The cycles with a published report, in one query."""
    return set(session.scalars(select(PublishedReport.cycle_id).distinct()))
