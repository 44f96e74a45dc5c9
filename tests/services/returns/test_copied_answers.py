"""Answers copied from last cycle stay marked until the agency confirms or changes them, page by
page, and no way of submitting takes a return that still holds one (issue 27, item 3)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Return, ReturnStatus
from portal.reports.return_pdf import render_return_pdf
from portal.services.accounts import LinkSettings
from portal.services.returns import (
    AnswerInput,
    Conflict,
    StandardInput,
    StandardPart,
    SubmitRefused,
    copied_marks,
    page_reading,
    previous_answers,
    previous_return,
    progress,
    read_mark,
    return_pages,
    save_standard,
    saved_answers,
    saved_return,
    standard_input,
    start_from_previous,
    submit_problems,
    submit_return,
    task_list,
    unconfirmed_copies,
)
from tests.support.copied_answers import COPIED_AT, PREVIOUS, Copying, answered_last_cycle

HEADER = "type,agency,code,grade,comment,na_reason,evidence\n"


def _copied(db: Session, variant: str) -> Copying:
    setting = answered_last_cycle(db, variant=variant, name=f"Riverside {variant} group")
    copied = start_from_previous(db, setting.current, user_id=setting.user.id, now=COPIED_AT)
    assert copied.cycle == PREVIOUS and copied.codes
    return setting


def _as_saved(db: Session, return_: Return, part: StandardPart, **overall: str) -> StandardInput:
    answers, evidence = saved_answers(db, return_)
    data = standard_input(part, answers, evidence, return_.overall_evidence)
    if part.overall_evidence:
        data = StandardInput(data.answers, data.evidence, data.notes,
                             overall.get("overall", "Our rules and training list"))
    return data


def _save(db: Session, setting: Copying, part: StandardPart, data: StandardInput, *,
          confirm: bool) -> None:
    save_standard(db, setting.current, part, data, read=read_mark(db, setting.current, part),
                  user_id=setting.user.id, now=COPIED_AT, confirm_copies=confirm)


def _submit(app: Flask, db: Session, setting: Copying) -> None:
    links = LinkSettings(secret_key=app.config["SECRET_KEY"], base_url="http://portal.test",
                         hours=72, partnership="Test Partnership", help_email="help@example.org")
    submit_return(db, setting.current, user=setting.user, declaration_name="Bo Chan",
                  declaration_role="Volunteer lead", read_version=setting.current.version,
                  links=links, now=COPIED_AT,
                  render_copy=partial(render_return_pdf, partnership="Test Partnership"))


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(AuditEvent.id)))


@pytest.mark.parametrize(("variant", "questions", "pages"), [("full", None, 12),
                                                              ("short", 19, 4)])
def test_submit_is_refused_until_every_page_of_copied_answers_is_confirmed(
        app: Flask, db: Session, tool: Any, variant: str, questions: int | None,
        pages: int) -> None:
    setting = _copied(db, variant)
    parts = return_pages(db, setting.current)
    codes = [q.code for part in parts for q in part.questions]
    assert len(parts) == pages and (questions is None or len(codes) == questions)
    assert copied_marks(db, setting.current) == dict.fromkeys(codes, PREVIOUS)
    for part in parts[:-1]:  # the short tool's one evidence box is not copied: typed last
        _save(db, setting, part, _as_saved(db, setting.current, part), confirm=False)
    assert [t.status.label for t in task_list(db, setting.current)][:-1] == \
        ["Check copied answers"] * (pages - 1)
    with pytest.raises(SubmitRefused) as refused:
        _submit(app, db, setting)
    unconfirmed = [p for p in refused.value.problems if p.part == "copied"]
    assert [p.question_code for p in unconfirmed] == codes  # one each, in the return's order
    assert unconfirmed == unconfirmed_copies(db, setting.current)
    number = parts[0].number(codes[0])
    assert unconfirmed[0].message == \
        f"Check your answer to question {number}, copied from {PREVIOUS}, and confirm it or " \
        "change it"

    for part in parts:
        _save(db, setting, part, _as_saved(db, setting.current, part), confirm=True)
    assert unconfirmed_copies(db, setting.current) == []
    assert submit_problems(db, setting.current) == []
    assert {t.status.label for t in task_list(db, setting.current)} == {"Completed"}
    _submit(app, db, setting)
    assert setting.current.status == ReturnStatus.SUBMITTED.value
    confirmed = _events(db, "return.copies_confirmed")
    assert sorted(c for event in confirmed for c in event.detail["confirmed"]) == sorted(codes)


def test_changing_a_copied_answer_confirms_it_and_leaves_the_pages_others_to_check(
        db: Session, tool: Any) -> None:
    setting = _copied(db, "full")
    part = return_pages(db, setting.current)[0]
    first, *others = [q.code for q in part.questions]
    data = _as_saved(db, setting.current, part)
    changed = StandardInput([AnswerInput(first, "outstanding"), *data.answers[1:]], data.evidence)
    _save(db, setting, part, changed, confirm=False)
    marks = copied_marks(db, setting.current)
    assert first not in marks and all(marks[code] == PREVIOUS for code in others)
    [saved] = _events(db, "return.saved")
    assert saved.detail["changed"] == [first]
    assert _events(db, "return.copies_confirmed") == []
    assert task_list(db, setting.current)[0].copied == len(others)


def test_a_confirmation_read_before_someone_else_changed_the_page_is_a_conflict(
        db: Session, tool: Any) -> None:
    setting = _copied(db, "full")
    part = return_pages(db, setting.current)[0]
    stale = read_mark(db, setting.current, part)
    data = _as_saved(db, setting.current, part)
    theirs = StandardInput([AnswerInput(a.code, "outstanding") if i == 0 else a
                            for i, a in enumerate(data.answers)], data.evidence)
    _save(db, setting, part, theirs, confirm=False)  # a colleague changes the first answer
    with pytest.raises(Conflict):
        save_standard(db, setting.current, part, data, read=stale, user_id=setting.user.id,
                      now=COPIED_AT, confirm_copies=True)
    assert len(copied_marks(db, setting.current)) == len(
        [q for p in return_pages(db, setting.current) for q in p.questions]) - 1


def test_an_import_confirms_the_answers_it_gives_and_refuses_to_submit_the_rest(
        app: Flask, db: Session, tool: Any, tmp_path: Path) -> None:
    setting = _copied(db, "full")
    parts = return_pages(db, setting.current)
    codes = [q.code for part in parts for q in part.questions]
    for part in parts:  # complete but for the copies: every page saved as copied
        _save(db, setting, part, _as_saved(db, setting.current, part), confirm=False)
    db.commit()
    path = tmp_path / "returns.csv"
    name = setting.agency.name
    path.write_text(HEADER + f"answer,{name},{codes[0]},outstanding,,,\n", encoding="utf-8")

    def run(*extra: str) -> Any:
        return app.test_cli_runner().invoke(args=["returns", "import", str(path), "--cycle",
                                                  "2026-27", *extra])

    refused = run("--submit")
    assert refused.exit_code != 0
    assert f"{name}'s return cannot be submitted: {len(codes) - 1} copied answers are not " \
           f"confirmed (questions {', '.join(codes[1:])})" in refused.output
    db.expire_all()
    assert setting.current.status != ReturnStatus.SUBMITTED.value
    assert codes[0] in copied_marks(db, setting.current)  # all or nothing: nothing imported

    assert run().exit_code == 0
    db.expire_all()
    assert set(copied_marks(db, setting.current)) == set(codes[1:])

    rows = "".join(f"answer,{name},{code},good,,,\n" for code in codes)
    path.write_text(HEADER + rows, encoding="utf-8")
    done = run("--submit")
    assert done.exit_code == 0, done.output
    db.expire_all()
    assert setting.current.status == ReturnStatus.SUBMITTED.value
    assert copied_marks(db, setting.current) == {}


@pytest.mark.parametrize("variant", ["full", "short"])
def test_a_pages_one_read_of_the_return_agrees_with_the_separate_counts(
        db: Session, tool: Any, variant: str) -> None:
    """saved_return (what the question page reads, in two statements) gives the same answers,
    copied marks and progress as saved_answers, copied_marks and progress, before and after one
    page's copies are confirmed and one answer is cleared."""
    setting = _copied(db, variant)
    for _ in range(2):
        stored = saved_return(db, setting.current)
        assert (stored.answers, stored.evidence) == saved_answers(db, setting.current)
        assert stored.copied == copied_marks(db, setting.current) != {}
        assert stored.progress == progress(db, [setting.current.id])[setting.current.id]
        part = return_pages(db, setting.current)[0]
        data = _as_saved(db, setting.current, part)
        first = next(i for i, a in enumerate(data.answers) if a.grade is not None)
        answers = list(data.answers)
        answers[first] = AnswerInput(answers[first].code)
        blank = StandardInput(answers, data.evidence, data.notes, data.overall)
        _save(db, setting, part, blank, confirm=True)
        assert saved_return(db, setting.current).progress.answered == stored.progress.answered - 1


def test_the_question_pages_reading_gives_both_editions_as_the_separate_reads_do(
        db: Session, tool: Any) -> None:
    """page_reading (three statements) = saved_return + previous_answers, with last edition's
    answers and evidence and whether it was submitted; a first return has no previous edition."""
    setting = _copied(db, "full")
    current, previous = page_reading(db, setting.current)
    assert current == saved_return(db, setting.current)
    assert previous is not None
    assert previous == previous_answers(db, setting.current)
    assert previous.cycle == PREVIOUS and previous.answers and previous.evidence
    earlier = previous_return(db, setting.current)
    assert earlier is not None
    assert page_reading(db, earlier) == (saved_return(db, earlier), None)
