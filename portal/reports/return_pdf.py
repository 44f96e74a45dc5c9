"""A return as a PDF: real text, A4, title metadata, page numbers, every question with its grade."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.reports.pdf_common import (
    BOLD,
    IN_FONT,
    RULE,
    WrappedOnce,
    numbered_canvas,
    pieces,
    portal_styles,
)
from portal.services.common import to_uk
from portal.services.returns import AnswerInput, DocStandard, ReturnDocument
from portal.vocabulary import GRADE_LABELS, Grade

STYLES = portal_styles()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=10.5)


def render_return_pdf(doc: ReturnDocument, *, partnership: str) -> bytes:
    """The PDF copy of a return."""
    buffer = BytesIO()
    title = f"Compact Audit {doc.cycle}: {doc.agency}"
    template = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=partnership, subject="Compact Audit return",
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=20 * mm,
    )
    footer = f"{doc.agency} - Compact Audit {doc.cycle}"
    template.build(_story(doc, partnership), canvasmaker=numbered_canvas(footer))
    return buffer.getvalue()


def _story(doc: ReturnDocument, partnership: str) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(escape(partnership), STYLES["Normal"]),
        Paragraph(escape(f"Compact Audit {doc.cycle}"), STYLES["Title"]),
        Paragraph(escape(doc.agency), STYLES["Heading1"]),
        _facts(doc),
        Spacer(1, 6 * mm),
    ]
    short = doc.overall_evidence is not None  # the short tool: one evidence box, notes per standard
    for standard in doc.standards:
        story += standard_section(standard, short=short)
    if short:
        evidence = (doc.overall_evidence or "").strip() or "No evidence described."
        story += [Paragraph("Evidence for the whole return", STYLES["Heading2"]),
                  Paragraph(_lines(evidence), BODY)]
    return story


def _facts(doc: ReturnDocument) -> Table:
    rows = [("Sector", doc.sector), ("Deadline", _date(doc.deadline)), ("Status", doc.status)]
    if doc.submitted_at:
        at = to_uk(doc.submitted_at)
        rows.append(("Submitted", f"{_date(at)} at {at:%H:%M} (UK time)"
                                  f" by {doc.submitted_by or 'unknown'}"))
    if doc.declaration_name:
        rows.append(("Declaration", f"{doc.declaration_name}, {doc.declaration_role or ''}"))
    return facts_table(rows)


def facts_table(rows: list[tuple[str, str]]) -> Table:
    """A two-column table of labelled facts."""
    table = Table([[k, Paragraph(escape(v), BODY)] for k, v in rows], colWidths=[30 * mm, None],
                  splitInRow=1)
    table.setStyle(TableStyle([IN_FONT, ("FONTNAME", (0, 0), (0, -1), BOLD),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def standard_section(standard: DocStandard, *, short: bool = False) -> list[Flowable]:
    """A standard's questions, grades, comments and actions, then its evidence."""
    heading = Paragraph(escape(f"Standard {standard.code}: {standard.title}"), STYLES["Heading2"])
    rows: list[list[Any]] = [["Question", "Grade", "Question and your comments"]]
    ends = []  # each question's last row, ruled below
    for q in standard.questions:
        first, *rest = _details(q.text, q.answer)
        # the short tool's own number first, as the agency saw it, with the stable code beside it
        label = f"{q.number} ({q.code})" if short and q.number and q.number != q.code else q.code
        rows += [[label, _grade(q.answer), WrappedOnce(first, SMALL)],
                 *[["", "", WrappedOnce(piece, SMALL)] for piece in rest]]
        ends.append(len(rows) - 1)
    table = Table(rows, colWidths=[22 * mm, 34 * mm, None], repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle([
        IN_FONT, ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTSIZE", (0, 0), (1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *[("LINEBELOW", (0, end), (-1, end), 0.5, RULE) for end in [0, *ends]],
    ]))
    if short and not standard.evidence.strip():
        return [heading, table, Spacer(1, 4 * mm)]  # notes are optional in the short tool
    evidence = standard.evidence.strip() or "No evidence described."
    label = "Notes" if short else "Evidence"
    return [heading, table, Spacer(1, 2 * mm),
            *_labelled(label, evidence, BODY), Spacer(1, 4 * mm)]


def _grade(answer: AnswerInput) -> str:
    return GRADE_LABELS[Grade(answer.grade)] if answer.grade else "Not answered"


def _details(text: str, answer: AnswerInput) -> list[str]:
    """The question, then each of the answer's texts on a new line, as the markup of paragraphs
    of at most about two PIECEs (one paragraph, unless a text is longer than a PIECE)."""
    found = [escape(text)]
    action = answer.action
    weak = answer.is_weak and not action.is_empty
    for label, value in (("Why not applicable", answer.na_reason), ("Comment", answer.comment),
                         ("Action", action.what if weak else "")):
        if value:
            first, *rest = _pieces(label, value)
            found[-1] += f"<br/>{first}"
            found += rest
    if weak:
        when = _date(action.by_when) if action.by_when else "no date"
        found[-1] += f" <b>By:</b> {escape(action.who)}, {when}"
    return found


def _labelled(label: str, text: str, style: ParagraphStyle) -> list[Paragraph]:
    return [Paragraph(piece, style) for piece in _pieces(label, text)]


def _pieces(label: str, text: str) -> list[str]:
    """A labelled text as the markup of paragraphs of at most PIECE characters: reportlab wraps
    a paragraph again each time it is split across a page, so a return of 5,000-character
    comments and 20,000-character evidence took a minute to make."""
    first, *rest = [_lines(piece) for piece in pieces(text)]
    return [f"<b>{label}:</b> {first}", *rest]


def _lines(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _date(value: Any) -> str:
    return f"{value.day} {value:%B %Y}"
