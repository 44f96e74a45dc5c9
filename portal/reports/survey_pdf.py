"""The practitioner survey in PDF (pure: data -> bytes or flowables): the staff-room poster,
an agency's challenge-day pack, the partnership pack and the MESC report's survey page."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import CondPageBreak

from portal.reports.pdf_common import BOLD, FONT, IN_FONT, heading, numbered_canvas, portal_styles
from portal.reports.wording import survey_sentence
from portal.services.survey import SMALL_BANDS, AgencyResult, StatementCounts, SurveyResults
from portal.vocabulary import GRADE_LABELS, SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS, Grade

TITLE = "What practitioners say"
_styles = portal_styles()
_BODY = ParagraphStyle("survey_body", parent=_styles["BodyText"], fontSize=10, leading=13)
_CELL = ParagraphStyle("survey_cell", parent=_BODY, fontSize=8, leading=10)
_HEAD = ParagraphStyle("survey_head", parent=_CELL, fontName=BOLD)
_H1 = ParagraphStyle("survey_h1", parent=_styles["Heading1"], fontSize=20, leading=24)
_H2 = ParagraphStyle("survey_h2", parent=_styles["Heading2"], fontSize=14, leading=18)
_BIG = ParagraphStyle("survey_big", parent=_BODY, fontSize=16, leading=21)
MARGIN = 18 * mm


def pct(share: float | None) -> str:
    return "no answers" if share is None else f"{round(share * 100)}%"


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _address(url: str) -> Paragraph:
    """The survey's address on one line if it can be: smaller type for a long one."""
    room = A4[0] - 2 * MARGIN - 12  # the frame's padding
    size = max(8.0, min(_BIG.fontSize, _BIG.fontSize * room / stringWidth(url, FONT, _BIG.fontSize)))
    return _p(url, ParagraphStyle("survey_address", parent=_BIG, fontSize=size,
                                  leading=size * 1.3))


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    cells = [[_p(str(v), _HEAD if n == 0 else _CELL) for v in row] for n, row in enumerate(rows)]
    made = Table(cells, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
    made.setStyle(TableStyle([
        IN_FONT, ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return made


def _build(story: list[Flowable], title: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=22 * mm, title=title,
                            creator="Compact Audit Portal")
    doc.build(story, canvasmaker=numbered_canvas(title))
    return out.getvalue()


def render_poster(*, agency: str, cycle: str, url: str, partnership: str, short_url: str = "",
                  answer_by: str = "") -> bytes:
    """A staff-room poster: what the survey is, the QR code, a short address to type and the
    date to answer by."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    story: list[Flowable] = [
        _p(partnership, _BODY), _p(f"{agency}: tell us how safeguarding works here", _H1),
        _p("Answer 12 short statements about safeguarding where you work. It takes about "
           "3 minutes. It is anonymous: we do not ask your name or email address, and we do "
           "not record anything that could identify you.", _BIG),
        Spacer(0, 10), Image(buffer, width=70 * mm, height=70 * mm), Spacer(0, 10),
        _p("Scan the code with your phone's camera, or type this address:", _BODY),
        _address(short_url or url),
        _p((f"Please answer by {answer_by}. " if answer_by else "")
           + f"Compact Audit {cycle}. The survey closes when the audit closes.", _BODY),
    ]
    return _build(story, f"Practitioner survey poster: {agency}")


def _statement_rows(statements: list[StatementCounts]) -> list[list[str]]:
    return [["Statement", "Agree", "Partly", "Disagree", "Don't know", "Agree %"]] + [
        [s.text, str(s.counts["agree"]), str(s.counts["partly"]), str(s.counts["disagree"]),
         str(s.counts["dont_know"]), pct(s.agree_share)] for s in statements]


def _agency_story(result: AgencyResult, data: SurveyResults) -> list[Flowable]:
    story: list[Flowable] = [
        _p(f"{result.agency}: challenge day", _H1),
        _p(f"Compact Audit {data.cycle}. {result.sector}. About {result.responses} practitioners "
           f"answered the survey. Every figure is rounded to the nearest 5."),
    ]
    if not result.shown:
        return [*story, _p(f"Results are released when the survey closes, and only from "
                           f"{data.settings.min_responses} responses, so that no one can be "
                           "identified.")]
    story += [
        _p("Who answered: " + _bands(result.role_bands, SURVEY_ROLE_BANDS) + ". Time worked here: "
           + _bands(result.service_bands, SURVEY_SERVICE_BANDS) + "."),
        _p(f"Corroboration gaps: {len(result.gaps)}", _H2),
        _p(f"A gap is a question graded good or outstanding where fewer than "
           f"{pct(data.settings.gap_share)} of staff agree with the statements mapped to it. "
           "Gaps come first."),
        _table([["Question", "Self-grade", "Staff agreeing", "Gap"]] + [
            [q.label, GRADE_LABELS[Grade(q.self_grade)],
             pct(q.agree_share), "Gap" if q.is_gap else ""] for q in result.questions
        ], [260, 80, 70, 40]),
        Spacer(0, 8), _p("What staff said", _H2),
        _table(_statement_rows(result.statements), [250, 40, 40, 45, 50, 45]),
    ]
    return story


def _bands(counts: dict[str, int], labels: dict[str, str]) -> str:
    """Band counts in the bands' order (shown only for agencies above the threshold)."""
    named = {**labels, "not_given": "not given", SMALL_BANDS: "in groups too small to show"}
    return ", ".join(f"{named[key].lower()} {counts[key]}" for key in named if counts.get(key))


def render_challenge_pack(result: AgencyResult, data: SurveyResults) -> bytes:
    """One agency's challenge-day pack: its self-grades beside its staff's answers, gaps first."""
    return _build(_agency_story(result, data), f"Challenge day {data.cycle}: {result.agency}")


def render_partnership_pack(data: SurveyResults) -> bytes:
    """Every agency with enough responses, most gaps first, each with its own pages."""
    ranked = data.by_gaps()
    story: list[Flowable] = [
        _p(f"Compact Audit {data.cycle}: challenge-day pack", _H1),
        _p(f"About {data.partnership.responses} responses from the {len(ranked)} of "
           f"{data.partnership.agencies} agencies with {data.settings.min_responses} or more "
           f"(figures rounded to the nearest 5), and {data.partnership.gaps} corroboration gaps "
           "between them."),
        _table([["Agency", "Sector", "Responses", "Gaps"]] + [
            [a.agency, a.sector, str(a.responses), str(len(a.gaps))] for a in ranked
        ], [200, 130, 60, 50]),
    ]
    for result in ranked:
        story += [PageBreak(), *_agency_story(result, data)]
    return _build(story, f"Challenge-day pack {data.cycle}")


def survey_page(data: SurveyResults | None) -> list[Flowable]:
    """The MESC report's page: responses by sector, least agreed statements, most gaps."""
    if data is None:
        return []
    story: list[Flowable] = [
        CondPageBreak(120 * mm), heading(TITLE, _H2),
        _p(survey_sentence(data)),
        _table([["Sector", "Agencies", "Responses", "Agencies with enough", "Gaps"]] + [
            [s.name, str(s.agencies), str(s.responses), str(s.agencies_shown), str(s.gaps)]
            for s in data.sectors
        ], [170, 60, 60, 90, 50]),
        Spacer(0, 6), _p("Statements with the least agreement", _BODY),
        _table([["Statement", "Answers", "Agree %"]] + [
            [s.text, str(s.total), pct(s.agree_share)] for s in data.least_agreed()
        ], [330, 60, 60]),
        Spacer(0, 6), _p("Agencies with the most corroboration gaps (for the committee only)", _BODY),
    ]
    most = [a for a in data.by_gaps() if a.gaps][:10]
    if not most:
        return [*story, _p("No agency has a corroboration gap.")]
    return [*story, _table([["Agency", "Sector", "Gaps", "Lowest agreement"]] + [
        [a.agency, a.sector, str(len(a.gaps)), pct(a.gaps[0].agree_share)] for a in most
    ], [200, 130, 40, 80])]
