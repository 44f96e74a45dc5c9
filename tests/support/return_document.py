"""A return document for the PDF tests: 12 standards of every kind of answer, with an agency
name that needs escaping."""

from __future__ import annotations

from datetime import date, datetime

from portal.services.returns import ActionInput, AnswerInput, DocQuestion, DocStandard, ReturnDocument


def document(standards: int = 12) -> ReturnDocument:
    return ReturnDocument(
        return_id=1, agency="Smith & Sons <Taxis>", sector="Commercial", cycle="2026-27",
        deadline=date(2027, 1, 29), status="Submitted", submitted_at=datetime(2027, 1, 10, 14, 5),
        submitted_by="Sam Patel", declaration_name="Sam Patel", declaration_role="Director",
        standards=[
            DocStandard(str(s), f"Standard title {s}", "Evidence text " * 20, [
                DocQuestion(f"{s}.1", "A question " * 12, AnswerInput(f"{s}.1", "good")),
                DocQuestion(f"{s}.2", "Another question", AnswerInput(
                    f"{s}.2", "inadequate", comment="We know",
                    action=ActionInput("Do better", "Manager", date(2027, 6, 1)))),
                DocQuestion(f"{s}.3", "Third", AnswerInput(f"{s}.3", "not_applicable",
                                                           na_reason="No vehicles")),
                DocQuestion(f"{s}.4", "Fourth", AnswerInput(f"{s}.4")),
            ])
            for s in range(1, standards + 1)
        ],
    )
