"""The annual report section, drafted from the data as blocks of text (portal.reports.annual
renders them as Markdown or a Word file).

Every figure comes from the MESC report's data (`sector_report`; for a closed cycle, the latest
published version), so the section and the MESC report of the same cycle always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from portal.services.common import counted
from portal.services.recommendations import RecommendationProgress, cycle_recommendations
from portal.services.survey import SurveyResults, SurveySettings

from ._downloads import report_cycle
from ._moderation_data import TARGET_RATE
from ._na_blank import NA_BLANK_SHARE
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


def annual_section(session: Session, *, cycle_label: str, now: datetime | None = None,
                   survey_settings: SurveySettings | None = None) -> list[Block]:
    """The section for a cycle, from the same data as the MESC report at `now` with the same
    survey settings (a closed cycle's as published). The recommendations are the committee's
    decisions as they stand."""
    cycle = report_cycle(session, cycle_label)
    report = report_for(session, cycle, now=now, survey_settings=survey_settings)
    return draft(report, cycle_recommendations(session, cycle))


def draft(report: SectorReport, recommendations: list[RecommendationProgress]) -> list[Block]:
    return [
        Block("heading", f"Section 11 Compact Audit {report.cycle}", level=1),
        Block("paragraph", "Drafted by the Compact Audit Portal from the audit's data. Every "
              f"figure matches the MESC report for {report.cycle}."),
        *_returns(report), *_non_returners(report), *_weakest(report), *_na_blank(report),
        *_moderation(report), *_survey(report.survey), *_recommendations(report, recommendations),
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
    missing = sum(s.count for s in shares)
    text = (f"{counted(missing, 'agency', 'agencies')} did not return the tool. The largest "
            f"group was the {top.sector} sector: {counted(top.count, 'agency', 'agencies')}, "
            f"{pct(top.share)} of all "
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
        Block("paragraph", f"The {counted(len(top), 'standard')} where agencies most often "
              "graded themselves requires improvement or inadequate:"),
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
    return [heading, Block("paragraph", f"The audit ended in "
                           f"{counted(len(recommendations), 'recommendation')}:"),
            Block("table", rows=rows)]


NA_BLANK_INTRO = (
    "Answers marked not applicable (N/A) and questions left blank are not counted in any "
    "percentage above. Where they make up {share:.0%} or more of a question's answers, the "
    "committee notes who gave them:")


def _na_blank(report: SectorReport) -> list[Block]:
    """The N/A and blank answers, in the committee's words (the MESC report's sentences)."""
    heading = Block("heading", "Not applicable and blank answers", level=2)
    if not report.na_blank:
        return [heading, Block("paragraph", "Answers marked not applicable (N/A) and questions "
                               "left blank are not counted in any percentage above. No question "
                               f"had {NA_BLANK_SHARE:.0%} or more of its answers N/A or blank.")]
    return [heading, Block("paragraph", NA_BLANK_INTRO.format(share=NA_BLANK_SHARE)),
            *[Block("bullet", q.sentence) for q in report.na_blank]]


def _survey(survey: SurveyResults | None) -> list[Block]:
    """What practitioners said, under the survey's release rules: figures only once the cycle
    has closed, and only from agencies with enough responses (already applied to `survey`)."""
    if survey is None:
        return []
    return [Block("heading", "What practitioners say", level=2),
            Block("paragraph", _survey_text(survey))]


def _survey_text(survey: SurveyResults) -> str:
    intro = "Practitioners in the agencies were asked to answer an anonymous survey. "
    minimum = survey.settings.min_responses
    if not survey.released:
        return intro + ("Its figures are released when the cycle closes, so none are given "
                        "here yet.")
    whole = survey.partnership
    if not whole.agencies_shown:
        return intro + (f"No agency had {minimum} or more responses, so no figures are given: "
                        "fewer could identify the people who answered.")
    text = intro + (
        f"About {whole.responses} practitioners answered in the "
        f"{counted(whole.agencies_shown, 'agency', 'agencies')} with {minimum} or more responses "
        f"(of {whole.agencies} sent the survey); figures are rounded to the nearest 5 and no "
        f"other agency's answers are counted. They showed "
        f"{counted(whole.gaps, 'corroboration gap')}: a question an agency graded good or "
        f"outstanding where fewer than {survey.settings.gap_share:.0%} of its own staff agreed "
        "with the statements about it.")
    least = survey.least_agreed(1)
    if least and least[0].agree_share is not None:
        text += (f" The statement with the least agreement was \u201c{least[0].text}\u201d "
                 f"({round(least[0].agree_share * 100)}% agreed).")
    return text
