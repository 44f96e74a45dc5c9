"""The visit pack as a PDF (pack -> bytes): the agency and its contacts, the questions worth
probing, and the return's answers and evidence."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from portal.reports.pdf_common import numbered_canvas
from portal.reports.return_pdf import BODY, STYLES, facts_table, standard_section
from portal.services.reporting import Probe, VisitPack


def render_visit_pack(pack: VisitPack, *, partnership: str) -> bytes:
    """The visit pack as a PDF."""
    buffer = BytesIO()
    title = f"Moderation visit pack: {pack.agency} ({pack.cycle})"
    template = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author=partnership, subject="Moderation visit pack",
        leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=20 * mm)
    story: list[Flowable] = [
        Paragraph(escape(partnership), STYLES["Normal"]),
        Paragraph(escape("Moderation visit pack"), STYLES["Title"]),
        Paragraph(escape(f"{pack.agency}, Compact Audit {pack.cycle}"), STYLES["Heading1"]),
        facts_table([("When", pack.when), ("Place", pack.place),
                     ("Attending", ", ".join(pack.attendees) or "Not chosen"),
                     ("Agency contact", "; ".join(pack.contacts) or "None recorded")]),
        Spacer(1, 4 * mm),
        Paragraph("Questions worth probing", STYLES["Heading1"]),
        *_probes("The lowest self-grades", pack.lowest, "No question was graded."),
        *_probes(f"The biggest changes since the last return ({pack.previous_cycle})"
                 if pack.previous_cycle else "The biggest changes since the last return",
                 pack.changed, "No earlier return to compare with, or no grade changed."
                 if pack.previous_cycle is None else "No grade changed."),
        *_probes("Not applicable answers and their reasons", pack.not_applicable,
                 "No question was marked not applicable."),
        Paragraph("The return: answers and evidence", STYLES["Heading1"]),
    ]
    for standard in pack.document.standards:
        story += standard_section(standard)
    template.build(story, canvasmaker=numbered_canvas(f"{pack.agency} - visit pack"))
    return buffer.getvalue()


def _probes(heading: str, probes: list[Probe], empty: str) -> list[Flowable]:
    items: list[Flowable] = [Paragraph(escape(heading), STYLES["Heading2"])]
    if not probes:
        return [*items, Paragraph(escape(empty), BODY)]
    return items + [Paragraph(f"<b>{escape(p.code)}</b> {escape(p.text)}<br/>{escape(p.note)}",
                              BODY) for p in probes]
