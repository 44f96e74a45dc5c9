"""The MESC report's sentences and figures in words, shared by the PDF and the HTML page."""

from __future__ import annotations

import sys

from portal.services.analysis import Tally
from portal.services.common import counted
from portal.services.reporting import (
    CALIBRATIONS,
    MIN_AGENCIES,
    MIN_GRADED,
    TARGET_RATE,
    ModerationSummary,
    NaBlankQuestion,
    PreviousRecommendations,
    SectorReport,
    StandardChange,
    StandardRow,
    small_n,
)
from portal.services.survey import SurveyResults

NO_FIGURE = "—"  # no graded answers, so no weakness figure
SMALL_N = "\u2020"  # dagger: beside a percentage from fewer than MIN_GRADED graded answers
SMALL_N_KEY = (f"{SMALL_N} Small number: fewer than {MIN_GRADED} graded answers, so the "
               "percentage can swing on a single answer. Read it with care.")
SENTENCES_ON_PAGE_1 = 3  # the rest of the N/A and blank sentences follow in the detail

# The report's section headings, in the order of the PDF and the HTML page (both use these).
RETURNS_BY_SECTOR = "Return rate by sector"
MODERATION = "Moderation"
GRID = "Where to act: weakness of each standard in each sector"
NA_BLANK = "Not applicable and blank answers"
DETAIL = "The detail"
OVER_THE_YEARS = "Returns over the years"
WEAKEST_ALL = "The weakest standards, all sectors"
MORE_NA_BLANK = "More questions with many N/A or blank answers"
RECOMMENDATIONS = "Progress on the last cycle's recommendations"
SURVEY = "What practitioners say"
METHOD = "How the figures are counted"
CALIBRATION_WORDS = {"agreed": "agreed", "under_scored": "under-scored",
                     "over_inflated": "over-inflated"}


def pct(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value * 100:+.1f} points"


def change_words(change: StandardChange) -> str:
    """"+33.3 points, worse", or why there is no change to give."""
    if change.left_out_because:
        return f"Left out: {change.left_out_because}"
    if change.change is None:
        return "No figure: nothing graded"
    if change.direction == "no change":
        return "No change"
    return f"{points(change.change)}, {change.direction}"


def marked_pct(tally: Tally) -> str:
    """The weakness as a percentage, marked when it rests on a small number of graded answers."""
    return f"{pct(tally.weakness)} {SMALL_N}" if small_n(tally) else pct(tally.weakness)


def has_small_n(tallies: list[Tally]) -> bool:
    return any(small_n(t) for t in tallies)


def weakest_heading(report: SectorReport) -> str:
    return f"The {len(report.top_three) or 'three'} weakest standards"


def sector_heading(sector: str) -> str:
    return f"Sector: {sector}"


def page_one_questions(report: SectorReport) -> list[NaBlankQuestion]:
    """The questions with the largest share of N/A and blank answers, for the summary."""
    return sorted(report.na_blank, key=lambda q: -q.share)[:SENTENCES_ON_PAGE_1]


def more_na_blank(report: SectorReport) -> list[NaBlankQuestion]:
    """The other N/A and blank sentences, in tool order, for the detail."""
    shown = page_one_questions(report)
    return [q for q in report.na_blank if q not in shown]


def recommendations_sentence(section: PreviousRecommendations) -> str:
    if section.cycle is None:
        return "There was no earlier cycle."
    if not section.rows:
        return f"No recommendations were recorded for {section.cycle}."
    done = sum(1 for r in section.rows if r.status == "Done")
    count = len(section.rows)
    return (f"{count} {'recommendation was' if count == 1 else 'recommendations were'} recorded "
            f"for {section.cycle}; {done} {'is' if done == 1 else 'are'} done.")


def standard_counts(row: StandardRow) -> str:
    t = row.tally
    return (f"{pct(t.weakness)}: {t.weak} of {t.graded} graded answers; {t.not_applicable} N/A "
            f"and {t.not_answered} not answered, not counted")


def top_three_sentence(report: SectorReport) -> str:
    top = report.top_three
    if not top:
        return "No answers were graded in this cycle, so no standard can be called weakest."
    named = [f"{s.code}. {s.title} ({standard_counts(s)})" for s in top]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return (f"The {len(top)} standard{'s' if len(top) > 1 else ''} where agencies most often "
            f"graded themselves requires improvement or inadequate: {listed}.")


def provisional_line(report: SectorReport) -> str:
    """Said on every page of a provisional report ('' once the report is final)."""
    if not report.provisional:
        return ""
    n = report.can_still_return
    deadline = report.final_deadline
    until = f" until {deadline.day} {deadline:%B %Y}" if deadline else ""
    return f"Provisional: {n} {'agency' if n == 1 else 'agencies'} can still return{until}"


def returns_sentence(report: SectorReport) -> str:
    text = (f"{report.issued} agencies were issued the self-assessment in {report.cycle} "
            f"(cohort {report.cohort}) and {report.returned} returned it: a return rate of "
            f"{pct(report.return_rate)}.")
    shares = report.non_returners_by_sector
    if shares:
        top = shares[0]
        text += (f" {report.issued - report.returned} {report.not_returned_label}; "
                 f"{pct(top.share)} of them are from the {top.sector} sector ({top.count}).")
    return text


def visits_sentence(m: ModerationSummary) -> str:
    if not m.recorded:
        return "No moderation visits recorded for this cycle."
    return (f"{counted(m.visits_completed, 'moderation visit')} held against a target of "
            f"{m.target} ({TARGET_RATE:.0%} of {counted(m.returned, 'submitted return')}); "
            f"{m.visits_open} more planned or scheduled.")


def calibration_sentence(m: ModerationSummary) -> str:
    if not m.counts.compared:
        return "No findings with a self grade to compare have been recorded."
    parts = [f"{getattr(m.counts, c)} {CALIBRATION_WORDS[c]} ({pct(m.counts.share(c))})"
             for c in CALIBRATIONS]
    return (f"Calibration of {m.counts.compared} findings: {', '.join(parts)}. Under-scored "
            "means the moderated grade was better than the self grade.")


def too_few_note(report: SectorReport) -> str:
    found = report.too_few
    if not found:
        return ""
    every = len(report.grid)
    listed = "; ".join(f"{t.sector}: " + ("every standard" if len(t.codes) == every else
                                          f"standard{'s' if len(t.codes) > 1 else ''} "
                                          f"{', '.join(t.codes)}") for t in found)
    rule = (f"graded by fewer than {MIN_AGENCIES} agencies" if report.agencies_counted
            else f"fewer than {MIN_GRADED} graded answers")
    return f"Too few to compare ({rule}), so not shaded: {listed}."


def too_few_count(tally: Tally, agencies: int | None) -> str:
    """What a too-few grid cell says after "too few to compare": the agencies behind it (or,
    in a report published before agencies were counted, its graded answers)."""
    if agencies is None:
        return f"n={tally.graded}"
    return counted(agencies, "agency", "agencies")


def whole_pct(share: float | None) -> str:
    """A survey share as a whole percentage (the survey's figures are rounded to 5 points)."""
    return "no answers" if share is None else f"{round(share * 100)}%"


def survey_sentence(data: SurveyResults) -> str:
    return (f"About {data.partnership.responses} practitioners answered the survey in agencies "
            f"with {data.settings.min_responses} or more responses. Only those agencies' figures "
            "are shown, and sector and partnership figures pool only them; every figure is "
            "rounded to the nearest 5.")


def page_words(report: SectorReport) -> dict[str, object]:
    """Everything the HTML report says in words, from the functions the PDF uses, so the two
    give the same sections in the same order."""
    return {
        "headings": sys.modules[__name__], "weakest_heading": weakest_heading(report),
        "sector_heading": sector_heading, "na_first": page_one_questions(report),
        "na_more": more_na_blank(report), "top_three": top_three_sentence(report),
        "provisional": provisional_line(report), "returns_sentence": returns_sentence(report),
        "visits": visits_sentence(report.moderation),
        "calibration": calibration_sentence(report.moderation),
        "too_few_note": too_few_note(report), "too_few_count": too_few_count,
        "recommendations_sentence": recommendations_sentence(report.previous_recommendations),
        "survey_sentence": survey_sentence(report.survey) if report.survey else "",
        "whole_pct": whole_pct, "pct": pct, "change_words": change_words, "small_n": small_n,
        "has_small_n": has_small_n, "small_n_mark": SMALL_N, "small_n_key_text": SMALL_N_KEY,
        "min_agencies": MIN_AGENCIES,
    }
