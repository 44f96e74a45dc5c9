"""The annual report section as Markdown or a Word file (python-docx): pure renderers
(section -> bytes) of the blocks portal.services.reporting.annual_section drafts."""

from __future__ import annotations

import io

from portal.services.reporting import Block


def render_markdown(blocks: list[Block]) -> bytes:
    lines: list[str] = []
    for block in blocks:
        if block.kind == "bullet":
            lines.append(f"- {block.text}")
            continue
        if lines and lines[-1].startswith("- "):
            lines.append("")
        if block.kind == "heading":
            lines += ["#" * block.level + " " + block.text, ""]
        elif block.kind == "table":
            lines += _markdown_table(block.rows)
        else:
            lines += [block.text, ""]
    return ("\n".join(lines).rstrip() + "\n").encode()


def _markdown_table(rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(rows[0]), "|" + "---|" * len(rows[0]), *[line(r) for r in rows[1:]], ""]


def render_docx(blocks: list[Block]) -> bytes:
    from docx import Document  # lazily: python-docx loads when a section is written
    from docx.shared import Mm

    document = Document()
    for section in document.sections:  # python-docx's template is US Letter; the partnership's is A4
        section.page_width, section.page_height = Mm(210), Mm(297)
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "table":
            table = document.add_table(rows=0, cols=len(block.rows[0]))
            table.style = "Table Grid"
            for row in block.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    cell.text = value
        else:
            document.add_paragraph(block.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             render_docx),
    "md": ("text/markdown; charset=utf-8", render_markdown),
}
