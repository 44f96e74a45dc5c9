"""Loading, validating and showing versions of the audit tool."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    GradeDescriptor,
    Question,
    Standard,
    SurveyStatement,
    SurveyStatementQuestion,
    ToolVersion,
)
from portal.services.common import ServiceError
from portal.vocabulary import QUALITY_GRADES, Variant

from ._outline import QuestionOutline, ToolOutline, with_contents

TOOLS_DIR = Path(__file__).resolve().parents[2] / "tools"
CURRENT_EDITION = TOOLS_DIR / "compact-audit-2026.2.json"
VARIANTS = {v.value for v in Variant}
GRADE_KEYS = [g.value for g in QUALITY_GRADES]
QUESTION_CODE = re.compile(r"^(\d+)\.(\d+)$")
STATEMENT_CODE = re.compile(r"^S\d+$")
SHORT_LIMIT = 20


class ToolInvalid(ServiceError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The tool file has problems:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class LoadResult:
    tool_version: ToolVersion
    created: bool


def read_tool_file(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a tool file, returning its data and checksum."""
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ToolInvalid([f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from exc
    return data, hashlib.sha256(raw).hexdigest()


def validate_tool(data: Any) -> list[str]:
    """Every problem with a tool's data, or an empty list."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object"]
    problems = [f"missing {key!r}" for key in ("version", "title", "standards") if not data.get(key)]
    standards = data.get("standards") or []
    if not isinstance(standards, list):
        return [*problems, "'standards' must be a list"]
    seen: set[str] = set()
    for s_index, standard in enumerate(standards, 1):
        problems += _validate_standard(standard, s_index, seen)
    for check in TOOL_CHECKS:
        problems += check(data, standards)
    return problems


def _short_limit(data: dict[str, Any], standards: list[Any]) -> list[str]:
    short = sum(1 for s in standards for q in _questions(s) if "short" in q.get("variants", []))
    if short > SHORT_LIMIT:
        return [f"the short variant has {short} questions; at most {SHORT_LIMIT} allowed"]
    return []


def _validate_pages(data: dict[str, Any], standards: list[Any]) -> list[str]:
    """Optional "pages": per variant, groups of standard codes shown together on one page."""
    pages = data.get("pages")
    if pages is None:
        return []
    if not isinstance(pages, dict) or not set(pages) <= VARIANTS:
        return [f"'pages' must map variants ({', '.join(sorted(VARIANTS))}) to lists of pages"]
    codes = [str(s.get("code")) for s in standards if isinstance(s, dict)]
    problems = []
    for variant, groups in pages.items():
        if not isinstance(groups, list) or not all(
                isinstance(g, dict) and str(g.get("title", "")).strip()
                and isinstance(g.get("standards"), list) for g in groups):
            problems.append(f"pages for {variant}: each page needs a title and a list of standards")
            continue
        listed = [str(code) for g in groups for code in g["standards"]]
        if sorted(listed) != sorted(codes):
            problems.append(f"pages for {variant}: must list every standard exactly once")
    return problems


def _validate_statements(data: dict[str, Any], standards: list[Any]) -> list[str]:
    """Optional "statements" of the practitioner survey; each maps to questions of this tool."""
    statements = data.get("statements", [])
    if not isinstance(statements, list):
        return ["'statements' must be a list"]
    question_codes = {str(q.get("code")) for s in standards for q in _questions(s)}
    problems: list[str] = []
    seen: set[str] = set()
    for index, statement in enumerate(statements, 1):
        problems += _validate_statement(statement, index, seen, question_codes)
    return problems


def _validate_statement(statement: Any, index: int, seen: set[str],
                        question_codes: set[str]) -> list[str]:
    if not isinstance(statement, dict):
        return [f"statement {index}: must be an object"]
    code = str(statement.get("code", ""))
    where = f"statement {code or index}"
    problems = [] if STATEMENT_CODE.match(code) else [f"{where}: code must look like S1"]
    if code in seen:
        problems.append(f"{where}: code used twice")
    seen.add(code)
    if not str(statement.get("text", "")).strip():
        problems.append(f"{where}: missing text")
    questions = statement.get("questions")
    if not isinstance(questions, list) or not questions:
        return [*problems, f"{where}: questions must be a non-empty list of question codes"]
    unknown = [str(q) for q in questions if str(q) not in question_codes]
    if unknown:
        problems.append(f"{where}: unknown question {', '.join(unknown)}")
    return problems


# Checks of the whole tool, after each standard and question is checked: add new ones here.
TOOL_CHECKS: list[Callable[[dict[str, Any], list[Any]], list[str]]] = [
    _short_limit, _validate_pages, _validate_statements,
]


def _questions(standard: Any) -> list[dict[str, Any]]:
    questions = standard.get("questions") if isinstance(standard, dict) else None
    return [q for q in questions if isinstance(q, dict)] if isinstance(questions, list) else []


def _validate_standard(standard: Any, index: int, seen: set[str]) -> list[str]:
    if not isinstance(standard, dict):
        return [f"standard {index}: must be an object"]
    code = str(standard.get("code", ""))
    where = f"standard {code or index}"
    problems = [] if code.isdigit() else [f"{where}: code must be a number"]
    if not standard.get("title"):
        problems.append(f"{where}: missing title")
    questions = _questions(standard)
    if not questions:
        problems.append(f"{where}: has no questions")
    for question in questions:
        problems += _validate_question(question, code, seen)
    problems += _validate_wording(standard.get("wording"), where, ("title",), required=False)
    return problems


def _validate_wording(wording: Any, where: str, keys: tuple[str, ...], *,
                      required: bool = True, descriptors: bool = False) -> list[str]:
    """Optional "wording": {variant: {...}}: a variant's own words for the same item."""
    if wording is None:
        return []
    if not isinstance(wording, dict) or not set(wording) <= VARIANTS:
        return [f"{where}: wording must map variants to their own words"]
    problems = []
    for variant, words in wording.items():
        if not isinstance(words, dict):
            problems.append(f"{where}: wording for {variant} must be an object")
            continue
        problems += [f"{where}: wording for {variant} is missing {key!r}" for key in keys
                     if not str(words.get(key, "")).strip() and (required or key in words)]
        given = words.get("descriptors")
        if descriptors and given is not None and (
                not isinstance(given, dict) or sorted(given) != sorted(GRADE_KEYS)
                or not all(str(t).strip() for t in given.values())):
            problems.append(f"{where}: wording for {variant} must give text for every "
                            f"descriptor ({', '.join(GRADE_KEYS)})")
    return problems


def _validate_question(question: dict[str, Any], standard_code: str, seen: set[str]) -> list[str]:
    code = str(question.get("code", ""))
    where = f"question {code or '(no code)'}"
    problems = []
    match = QUESTION_CODE.match(code)
    if not match or match.group(1) != standard_code:
        problems.append(f"{where}: code must look like {standard_code}.N")
    if code in seen:
        problems.append(f"{where}: code used twice")
    seen.add(code)
    if not str(question.get("text", "")).strip():
        problems.append(f"{where}: missing text")
    variants = question.get("variants")
    if not isinstance(variants, list) or not variants or not set(variants) <= VARIANTS:
        problems.append(f"{where}: variants must be a non-empty list of {sorted(VARIANTS)}")
    descriptors = question.get("descriptors")
    if not isinstance(descriptors, dict) or sorted(descriptors) != sorted(GRADE_KEYS):
        problems.append(f"{where}: descriptors must give exactly {', '.join(GRADE_KEYS)}")
    elif not all(str(text).strip() for text in descriptors.values()):
        problems.append(f"{where}: every descriptor needs text")
    problems += _validate_wording(question.get("wording"), where, ("text",), descriptors=True)
    return problems


def load_tool(session: Session, path: Path = CURRENT_EDITION) -> LoadResult:
    """Validate a tool file and store it as a new immutable version (idempotent for the same file)."""
    data, checksum = read_tool_file(path)
    problems = validate_tool(data)
    if problems:
        raise ToolInvalid(problems)
    existing = session.scalar(select(ToolVersion).where(ToolVersion.version == data["version"]))
    if existing is not None:
        if existing.checksum != checksum:
            raise ToolInvalid([
                f"version {data['version']} is already loaded with different content; "
                "a loaded version never changes: give the new edition a new version"
            ])
        return LoadResult(existing, created=False)
    return LoadResult(_store(session, data, checksum), created=True)


def _store(session: Session, data: dict[str, Any], checksum: str) -> ToolVersion:
    published = date.fromisoformat(data["published"]) if data.get("published") else None
    tool = ToolVersion(
        version=data["version"], title=data["title"], published=published, checksum=checksum,
        pages=data.get("pages"),
    )
    session.add(tool)
    session.flush()
    for s_pos, s_data in enumerate(data["standards"], 1):
        standard = Standard(
            tool_version_id=tool.id, code=str(s_data["code"]), title=s_data["title"],
            summary=s_data.get("summary", ""), position=s_pos,
            short_title=_short(s_data).get("title"), short_summary=_short(s_data).get("summary"),
        )
        session.add(standard)
        session.flush()
        for q_pos, q_data in enumerate(s_data["questions"], 1):
            session.add(_question(tool.id, standard.id, q_pos, q_data))
    session.flush()
    _store_statements(session, tool, data.get("statements", []))
    return tool


def _store_statements(session: Session, tool: ToolVersion, statements: list[dict[str, Any]]) -> None:
    if not statements:
        return
    question_ids = dict(session.execute(
        select(Question.code, Question.id).where(Question.tool_version_id == tool.id)
    ).all())
    for position, data in enumerate(statements, 1):
        statement = SurveyStatement(tool_version_id=tool.id, code=data["code"],
                                    text=data["text"].strip(), position=position)
        session.add(statement)
        session.flush()
        session.add_all(SurveyStatementQuestion(statement_id=statement.id,
                                                question_id=question_ids[str(code)])
                        for code in dict.fromkeys(data["questions"]))
    session.flush()


def _short(data: dict[str, Any]) -> dict[str, Any]:
    """The short variant's own words for a standard or question ({} when it has none)."""
    return dict((data.get("wording") or {}).get(Variant.SHORT.value) or {})


def _question(tool_id: int, standard_id: int, position: int, data: dict[str, Any]) -> Question:
    variants = set(data["variants"])
    short = _short(data)
    question = Question(
        tool_version_id=tool_id, standard_id=standard_id, code=data["code"], text=data["text"],
        position=position, in_full="full" in variants, in_schools="schools" in variants,
        in_short="short" in variants, short_text=short.get("text"),
    )
    short_descriptors = short.get("descriptors") or {}
    question.descriptors = [
        GradeDescriptor(grade=grade, text=data["descriptors"][grade], position=i,
                        short_text=short_descriptors.get(grade))
        for i, grade in enumerate(GRADE_KEYS)
    ]
    return question


def latest_tool(session: Session) -> ToolVersion | None:
    return session.scalar(select(ToolVersion).order_by(ToolVersion.id.desc()).limit(1))


def get_tool(session: Session, version: str | None = None) -> ToolVersion:
    """A tool version with its standards and questions loaded; the latest when none is named."""
    query = select(ToolVersion).options(with_contents())
    query = (query.where(ToolVersion.version == version) if version
             else query.order_by(ToolVersion.id.desc()).limit(1))
    tool = session.scalar(query)
    if tool is None:
        raise ServiceError(f"No tool version {version} is loaded" if version else "No tool is loaded")
    return tool


def tool_statements(session: Session, tool: ToolVersion) -> list[SurveyStatement]:
    """The practitioner survey's statements the tool carries, with their questions."""
    return list(session.scalars(
        select(SurveyStatement).options(selectinload(SurveyStatement.questions))
        .where(SurveyStatement.tool_version_id == tool.id).order_by(SurveyStatement.position)
    ))


def tool_as_dict(tool: ToolVersion, variant: str | None = None,
                 statements: list[SurveyStatement] | None = None) -> dict[str, Any]:
    """The shape `flask tools show --format json` prints (with the survey's statements when the
    tool has any)."""
    shown = _tool_as_dict(tool, variant)
    if statements:
        shown["statements"] = [
            {"code": st.code, "text": st.text, "questions": [q.code for q in st.questions]}
            for st in statements]
    return shown


def _tool_as_dict(tool: ToolVersion, variant: str | None) -> dict[str, Any]:
    """With a variant, as that variant shows it: its questions only, in its own words, each with
    the number the agency sees."""
    if variant is None:
        return {
            "version": tool.version,
            "title": tool.title,
            "standards": [
                {"code": s.code, "title": s.title,
                 "questions": [{"code": q.code, "text": q.text, "variants": q.variants}
                               for q in s.questions]}
                for s in tool.standards
            ],
        }
    numbers = question_numbers(tool, variant)
    standards = [
        {"code": s.code, "title": s.title_for(variant), "summary": s.summary_for(variant),
         "questions": [
             {"code": q.code, "number": numbers[q.code], "text": q.text_for(variant),
              "variants": q.variants,
              "descriptors": {d.grade: d.text_for(variant) for d in q.descriptors}}
             for q in s.questions if q.in_variant(variant)]}
        for s in tool.standards
    ]
    return {"version": tool.version, "title": tool.title, "variant": variant,
            "pages": variant_pages(tool, variant),
            "standards": [s for s in standards if s["questions"]]}


def questions_for_variant(tool: ToolVersion | ToolOutline,
                          variant: str) -> list[Question | QuestionOutline]:
    return [q for s in tool.standards for q in s.questions if q.in_variant(variant)]


def variant_pages(tool: ToolVersion | ToolOutline, variant: str) -> list[dict[str, Any]]:
    """The pages a variant's return has, in order: each a title and its standards' codes.

    Without groups in the tool data, every standard with questions is a page of its own."""
    present = {s.code: s for s in tool.standards
               if any(q.in_variant(variant) for q in s.questions)}
    groups = (tool.pages or {}).get(variant)
    if not groups:
        return [{"title": s.title_for(variant), "standards": [code]}
                for code, s in present.items()]
    pages = [{"title": g["title"], "standards": [str(c) for c in g["standards"] if str(c) in present]}
             for g in groups]
    return [p for p in pages if p["standards"]]


def question_numbers(tool: ToolVersion | ToolOutline, variant: str) -> dict[str, str]:
    """The number each question has as the agency sees it.

    A variant the edition lays out in pages of its own (the short tool from 2026.2) numbers its
    questions 1, 2, 3 ... with no gaps, in page order; otherwise the stable codes (6.2) are the
    numbers, as earlier editions showed them. The partnership sees the codes beside the numbers."""
    if not (tool.pages or {}).get(variant):
        return {q.code: q.code for q in questions_for_variant(tool, variant)}
    by_code = {s.code: s for s in tool.standards}
    ordered = [q for page in variant_pages(tool, variant) for code in page["standards"]
               for q in by_code[code].questions if q.in_variant(variant)]
    return {q.code: str(n) for n, q in enumerate(ordered, 1)}
