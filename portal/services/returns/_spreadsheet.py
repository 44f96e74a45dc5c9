"""The return as a spreadsheet to fill offline, and reading it back (all or nothing, by cell)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from portal.models import Return
from portal.services import audit
from portal.services.common import ImportRejected, LineError, clean_text, set_text
from portal.vocabulary import GRADE_LABELS, QUALITY_GRADES, Grade

from ._reading import StandardPart, saved_answers, standard_input, standard_parts
from ._rules import (
    ActionInput,
    AnswerInput,
    StandardInput,
    answer_problems,
    evidence_problems,
    parse_grade,
)
from ._saving import bump_version, ensure_editable, write_standard

META_SHEET = "_portal"
FIRST_ROW = 4
COLUMNS = {"code": "A", "text": "B", "grade": "C", "reason": "D", "comment": "E", "what": "F",
           "who": "G", "by": "H"}
HEADINGS = ["Question", "What we ask", "Grade (choose from the list)",
            "Why not applicable (if not applicable)", "Comment (optional)",
            "Action: what will be done (if requires improvement or inadequate)",
            "Action: by whom", "Action: by when (date)"]
DESCRIPTOR_COLUMNS = "IJKL"
WIDTHS = {"A": 10, "B": 60, "C": 22, "D": 30, "E": 30, "F": 40, "G": 20, "H": 16}
GRADE_CHOICES = [GRADE_LABELS[g] for g in Grade]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


def sheet_name(code: str) -> str:
    return f"Standard {code}"


def return_workbook(session: Session, return_: Return) -> bytes:
    """An .xlsx of the return: one sheet per standard with descriptors, a grade list, evidence."""
    from openpyxl import Workbook  # lazily: the app and the CLI start without openpyxl

    answers, evidence = saved_answers(session, return_)
    book = Workbook()
    about = book.active
    assert about is not None
    _about(about, return_)
    for part in standard_parts(session, return_):
        _standard_sheet(book.create_sheet(sheet_name(part.standard.code)), part,
                        standard_input(part, answers, evidence))
    meta = book.create_sheet(META_SHEET)
    meta["A1"], meta["B1"] = "return", return_.id
    meta["A2"], meta["B2"] = "version", return_.version
    meta.sheet_state = "hidden"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _about(sheet: Worksheet, return_: Return) -> None:
    from openpyxl.styles import Font

    sheet.title = "About"
    lines = [
        f"Compact Audit {return_.cycle.label}: {return_.agency.name}",
        "Fill in one sheet per standard, then upload this file on your return's page.",
        "Choose each grade from the drop-down list. Leave a grade blank if you have not answered.",
        "Not applicable needs a reason. Requires improvement and inadequate need an action: "
        "what, by whom and by when.",
        "Describe your evidence for each standard in cell B2 of its sheet.",
        "Nothing is saved unless every cell is correct; problems are listed with their cells.",
    ]
    for row, line in enumerate(lines, 1):
        sheet.cell(row=row, column=1, value=line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100


def _standard_sheet(sheet: Worksheet, part: StandardPart, data: StandardInput) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet["A1"] = f"Standard {part.standard.code}: {part.standard.title}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "Evidence"
    sheet["A2"].font = Font(bold=True)
    set_text(sheet["B2"], data.evidence)
    sheet.merge_cells("B2:H2")
    sheet["B2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 90
    labels = HEADINGS + [f"{GRADE_LABELS[g]} looks like" for g in QUALITY_GRADES]
    for index, label in enumerate(labels, 1):
        cell = sheet.cell(row=FIRST_ROW - 1, column=index, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, (question, answer) in enumerate(zip(part.questions, data.answers, strict=True)):
        _question_row(sheet, FIRST_ROW + offset, question, answer)
    last = FIRST_ROW + len(part.questions) - 1
    grades = DataValidation(type="list", formula1='"' + ",".join(GRADE_CHOICES) + '"',
                            allow_blank=True, showErrorMessage=True, errorTitle="Grade",
                            error="Choose a grade from the list")
    grades.add(f"C{FIRST_ROW}:C{last}")
    sheet.add_data_validation(grades)
    for column, width in {**WIDTHS, **dict.fromkeys(DESCRIPTOR_COLUMNS, 40)}.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"C{FIRST_ROW}"


def _question_row(sheet: Worksheet, row: int, question: Any, answer: AnswerInput) -> None:
    from openpyxl.styles import Alignment

    values = {
        "code": question.code, "text": question.text,
        "grade": GRADE_LABELS[Grade(answer.grade)] if answer.grade else None,
        "reason": answer.na_reason or None, "comment": answer.comment or None,
        "what": answer.action.what or None, "who": answer.action.who or None,
        "by": answer.action.by_when,
    }
    for key, value in values.items():
        cell = sheet[f"{COLUMNS[key]}{row}"]
        set_text(cell, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet[f"H{row}"].number_format = "DD/MM/YYYY"
    for column, descriptor in zip(DESCRIPTOR_COLUMNS, question.descriptors, strict=False):
        cell = sheet[f"{column}{row}"]
        set_text(cell, descriptor.text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # a filled-in return is well under 200 KB
MAX_UNPACKED_BYTES = 8 * 1024 * 1024  # every part of the file, unpacked
MAX_PARTS = 200
MAX_ROWS = 200  # read no further down a sheet than this, whatever the file claims
MAX_COLUMNS = len(COLUMNS)


@dataclass
class _Reader:
    """Reads one sheet's values (already read, bounded), collecting every problem by cell."""

    title: str
    values: dict[str, Any]
    errors: list[LineError]

    def fail(self, cell: str, message: str) -> None:
        self.errors.append(LineError(f"Sheet '{self.title}' cell {cell}", message))

    def text(self, cell: str) -> str:
        value = self.values.get(cell)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return clean_text(str(value)).strip()

    def date(self, cell: str) -> date | None:
        value = self.values.get(cell)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self.text(cell)
        if not text:
            return None
        for pattern in DATE_FORMATS:
            try:
                return datetime.strptime(text[:20], pattern).date()
            except ValueError:
                continue
        self.fail(cell, f"'{text[:40]}' is not a date: enter a date like 31/03/2027")
        return None


def read_workbook(session: Session, return_: Return, content: bytes, *, user_id: int | None,
                  now: datetime) -> int:
    """Save the answers in an uploaded spreadsheet, or nothing (ImportRejected lists every cell).

    A copied answer the sheet changes becomes the agency's own; one it leaves as it was keeps its
    mark (uploading the file back is not a sign that anyone read it): confirm it on its page."""
    ensure_editable(return_)
    parts = standard_parts(session, return_)
    sheets = _read_sheets(content, {sheet_name(p.standard.code) for p in parts},
                          max_row=FIRST_ROW + max((len(p.questions) for p in parts), default=0))
    errors: list[LineError] = []
    _check_meta(sheets, return_, errors)
    data = {part.standard.code: _read_part(sheets, part, errors) for part in parts}
    if errors:
        raise ImportRejected(errors)
    if not bump_version(session, return_, return_.version, now=now):
        raise ImportRejected([LineError("File", "Someone saved the return just now. "
                                                "Upload the file again.")])
    changed = [c for part in parts for c in write_standard(
        session, return_, part, data[part.standard.code], user_id=user_id, now=now)]
    if changed:
        audit.record(session, action="return.uploaded", entity_type="return",
                     entity_id=return_.id, user_id=user_id, cycle=return_.cycle.label,
                     agency=return_.agency.name, changed=changed)
    return sum(1 for d in data.values() for a in d.answers if a.grade)


NOT_OURS = ("The selected file must be an Excel spreadsheet (.xlsx) downloaded from this return")


def _rejected(message: str = NOT_OURS) -> ImportRejected:
    return ImportRejected([LineError("File", message)])


def _check_container(content: bytes) -> None:
    """Refuse, before parsing anything, a file too big or that unpacks to too much (a bomb)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise _rejected("The selected file must be smaller than 2 MB")
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _rejected() from exc
    if len(members) > MAX_PARTS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _rejected("The selected file holds far more than a return: download your "
                        "return's spreadsheet again and fill that in")


def _read_sheets(content: bytes, wanted: set[str], *, max_row: int) -> dict[str, dict[str, Any]]:
    """The values of the cells we read, sheet by sheet: read-only, bounded rows and columns.

    openpyxl parses XML through defusedxml (installed), so entity expansion and external
    entities are refused; any parsing failure of an untrusted file is a clear 400, not a 500."""
    from openpyxl import load_workbook

    _check_container(content)
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
        try:
            return {name: _sheet_values(book[name], max_row)
                    for name in book.sheetnames if name in wanted or name == META_SHEET}
        finally:
            book.close()
    except ImportRejected:
        raise
    except Exception as exc:
        raise _rejected() from exc


def _sheet_values(sheet: Any, max_row: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rows = sheet.iter_rows(min_row=1, max_row=min(max_row, MAX_ROWS), max_col=MAX_COLUMNS,
                           values_only=True)
    for row_number, row in enumerate(rows, 1):
        for column, value in zip("ABCDEFGH", row, strict=False):
            if value is not None:
                values[f"{column}{row_number}"] = value
    return values


def _check_meta(sheets: dict[str, dict[str, Any]], return_: Return,
                errors: list[LineError]) -> None:
    if META_SHEET not in sheets:
        errors.append(LineError("File", "This is not a spreadsheet downloaded from the portal: "
                                        "download your return's spreadsheet and fill that in"))
        return
    meta = sheets[META_SHEET]
    if meta.get("B1") != return_.id:
        errors.append(LineError("File", "This spreadsheet belongs to a different return"))
    elif meta.get("B2") != return_.version:
        errors.append(LineError("File", "The return has been changed online since this "
                                        "spreadsheet was downloaded. Download it again, copy your "
                                        "answers in, and upload the new file"))


def _read_part(sheets: dict[str, dict[str, Any]], part: StandardPart,
               errors: list[LineError]) -> StandardInput:
    name = sheet_name(part.standard.code)
    if name not in sheets:
        errors.append(LineError(f"Sheet '{name}'", "is missing: do not rename or delete sheets"))
        return StandardInput([])
    reader = _Reader(name, sheets[name], errors)
    answers = [_read_answer(reader, FIRST_ROW + offset, question.code)
               for offset, question in enumerate(part.questions)]
    evidence = reader.text("B2")
    for message in evidence_problems(part.standard.code, evidence):  # the save rule's limit
        reader.fail("B2", message)
    return StandardInput(answers, evidence)


def _read_answer(reader: _Reader, row: int, code: str) -> AnswerInput:
    if reader.text(f"A{row}") != code:
        reader.fail(f"A{row}", f"should hold question {code}: do not move or delete rows")
        return AnswerInput(code)
    grade_text = reader.text(f"C{row}")
    try:
        grade = parse_grade(grade_text)
    except ValueError:
        reader.fail(f"C{row}", f"'{grade_text}' is not a grade: choose "
                               f"{', '.join(GRADE_CHOICES[:-1])} or {GRADE_CHOICES[-1]}")
        grade = None
    answer = AnswerInput(
        code, grade.value if grade else None, reader.text(f"D{row}"), reader.text(f"E{row}"),
        ActionInput(reader.text(f"F{row}"), reader.text(f"G{row}"), reader.date(f"H{row}")),
    )
    date_cell = f"Sheet '{reader.title}' cell H{row}"
    bad_date = any(e.where == date_cell for e in reader.errors)
    for problem in answer_problems(answer):
        if not (problem.part == "by" and bad_date):
            reader.fail(f"{COLUMNS[problem.part]}{row}", problem.message)
    return answer
