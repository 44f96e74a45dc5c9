"""The annual report section, drafted from the data as blocks of text (portal.reports.annual
renders them as Markdown or a Word file).

Every figure comes from the MESC report's data (`sector_report`; for a closed cycle, the latest
published version), so the section and the MESC report of the same cycle always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.services.common import counted
from portal.services.recommendations import RecommendationProgress, cycle_recommendations

from ._downloads import report_cycle
from ._moderation_data import TARGET_RATE
from ._published import report_for
from ._sector_data import SectorReport, StandardRow


@dataclass(frozen=True)
class Block:
    """A heading (level 1 or 2), a paragraph (level 0), a bullet, or a table (rows, header first)."""

    kind: str  # "heading" | "paragraph" | "bullet" | "table"
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def pct(value: float | None) -> str:
    return "no figure" if value is None else f"{value * 100:.1f}%"


def annual_section(session: Session, *, cycle_label: str) -> list[Block]:
    """The section for a cycle, from the same data as the MESC report (a closed cycle's as
    published). The recommendations are the committee's decisions as they stand."""
    cycle = report_cycle(session, cycle_label)
    return draft(report_for(session, cycle), cycle_recommendations(session, cycle))


def draft(report: SectorReport, recommendations: list[RecommendationProgress]) -> list[Block]:
    return [
        Block("heading", f"Section 11 Compact Audit {report.cycle}", level=1),
        Block("paragraph", "Drafted by the Compact Audit Portal from the audit's data. Every "
              f"figure matches the MESC report for {report.cycle}."),
        *_returns(report), *_non_returners(report), *_weakest(report), *_moderation(report),
        *_recommendations(report, recommendations),
    ]


def _returns(report: SectorReport) -> list[Block]:
    text = (f"{report.issued} agencies (cohort {report.cohort}) were sent the self-assessment "
            f"tool and {report.returned} returned it: a return rate of {pct(report.return_rate)}.")
    if report.previous_cycles:
        text += " In previous cycles: " + "; ".join(
            f"{f.cycle}, {pct(f.return_rate)} ({f.returned} of {f.issued})"
            for f in report.previous_cycles) + "."
    rows = [["Cycle", "Cohort", "Sent the tool", "Returned", "Return rate"]] + [
        [f.cycle, f.cohort, str(f.issued), str(f.returned), pct(f.return_rate)]
        for f in [report.headline, *report.previous_cycles]]
    return [Block("heading", "Returns", level=2), Block("paragraph", text), Block("table", rows=rows)]


def _non_returners(report: SectorReport) -> list[Block]:
    shares = report.non_returners_by_sector
    heading = Block("heading", "Agencies that did not return the tool", level=2)
    if not shares:
        return [heading, Block("paragraph", "Every agency sent the tool returned it.")]
    top = shares[0]
    text = (f"{sum(s.count for s in shares)} agencies did not return the tool. The largest "
            f"group was the {top.sector} sector: {top.count} agencies, {pct(top.share)} of all "
            "non-returners. Non-returners are carried into next year's list, and the Independent "
            "Chair meets any that miss a second year.")
    rows = [["Sector", "Did not return", "Share of non-returners"]] + [
        [s.sector, str(s.count), pct(s.share)] for s in shares]
    return [heading, Block("paragraph", text), Block("table", rows=rows)]


def _weakest(report: SectorReport) -> list[Block]:
    heading = Block("heading", "The weakest standards", level=2)
    top = report.top_three
    if not top:
        return [heading, Block("paragraph", "No answers were graded, so no standard is weakest.")]
    return [
        heading,
        Block("paragraph", f"The {len(top)} standards where agencies most often graded "
              "themselves requires improvement or inadequate:"),
        *[Block("bullet", _standard_sentence(s)) for s in top],
        Block("paragraph", "Percentages are of graded answers only. Answers marked not "
              "applicable (N/A) and questions left blank are counted separately and left out of "
              "the percentages, because counting them skewed earlier reports."),
    ]


def _standard_sentence(row: StandardRow) -> str:
    t = row.tally
    return (f"{row.code}. {row.title}: {pct(t.weakness)} ({t.weak} of {t.graded} graded answers "
            f"requires improvement or inadequate; {t.not_applicable} N/A and {t.not_answered} "
            "left blank, not counted)")


def _moderation(report: SectorReport) -> list[Block]:
    m = report.moderation
    held = counted(m.visits_completed, "moderation visit")
    text = (f"{held} {'was' if m.visits_completed == 1 else 'were'} held against a target of "
            f"{m.target} ({TARGET_RATE:.0%} of the {counted(m.returned, 'agency', 'agencies')} "
            "that returned the tool).")
    c = m.counts
    if c.compared:
        text += (f" Of {c.compared} moderated findings, {pct(c.share('agreed'))} agreed with the "
                 f"agency's own grade, {pct(c.share('under_scored'))} were under-scored (the "
                 f"moderated grade was better) and {pct(c.share('over_inflated'))} over-inflated "
                 "(the moderated grade was worse).")
    else:
        text += " No moderated findings have been recorded to compare."
    return [Block("heading", "Moderation", level=2), Block("paragraph", text)]


def _recommendations(
    report: SectorReport, recommendations: list[RecommendationProgress]
) -> list[Block]:
    heading = Block("heading", "Recommendations", level=2)
    if not recommendations:
        return [heading, Block("paragraph", f"No recommendations were recorded for {report.cycle}.")]
    rows = [["Recommendation", "Standards", "Owner", "Due", "Status"]] + [
        [r.text, ", ".join(r.standards) or "All", r.owner, f"{r.due_on.day} {r.due_on:%B %Y}",
         r.status] for r in recommendations]
    return [heading, Block("paragraph", f"The audit ended in {len(recommendations)} "
                           "recommendations:"), Block("table", rows=rows)]
