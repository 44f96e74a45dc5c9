"""N/A and blank answers in the committee's own words: for every question where they reach a
tenth of its answers, one sentence giving the count by sector of each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from portal.services.analysis import Tally, code_key

NA_BLANK_SHARE = 0.10  # a question gets a sentence when N/A + blank reach this share of answers


class Counted(Protocol):
    """A question's row of the sector question table."""

    @property
    def code(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def tally(self) -> Tally: ...


@dataclass(frozen=True)
class SectorCount:
    sector: str
    count: int


@dataclass(frozen=True)
class NaBlankQuestion:
    """A question whose N/A and blank answers reach NA_BLANK_SHARE of its answers, by sector."""

    code: str
    text: str
    answers: int
    not_applicable: list[SectorCount]
    not_answered: list[SectorCount]

    @property
    def not_applicable_total(self) -> int:
        return sum(c.count for c in self.not_applicable)

    @property
    def not_answered_total(self) -> int:
        return sum(c.count for c in self.not_answered)

    @property
    def share(self) -> float:
        return (self.not_applicable_total + self.not_answered_total) / self.answers

    @property
    def sentence(self) -> str:
        """The committee's own wording: who said N/A, and who left it blank, by sector."""
        said = (f"{_agencies(self.not_applicable_total)} felt it was not applicable "
                f"({_by_sector(self.not_applicable)})" if self.not_applicable else
                "No agency marked it not applicable")
        blank = (f"{'a further ' if self.not_applicable else ''}"
                 f"{_agencies(self.not_answered_total)} left it blank "
                 f"({_by_sector(self.not_answered)})" if self.not_answered else
                 "none left it blank")
        return (f"Question {self.code}, \u201c{self.text.rstrip('.?')}\u201d: {said}; {blank}. "
                f"That is {self.share:.0%} of its {self.answers} answers.")


def _agencies(count: int) -> str:
    return f"{count} {'agency' if count == 1 else 'agencies'}"


def _by_sector(counts: list[SectorCount]) -> str:
    parts = [f"{c.count} in {c.sector}" for c in counts]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def na_blank_questions(
    by_sector: Iterable[tuple[str, Iterable[Counted]]],
) -> list[NaBlankQuestion]:
    """Questions whose N/A and blank answers reach NA_BLANK_SHARE of their answers, in tool
    order, from the sector question table already counted in SQL (one row per sector and
    question, so this loop is over at most sectors x questions, never over answers)."""
    texts: dict[str, str] = {}
    answers: dict[str, int] = {}
    na: dict[str, list[SectorCount]] = {}
    blank: dict[str, list[SectorCount]] = {}
    for sector, questions in by_sector:
        for q in questions:
            t = q.tally
            texts[q.code] = q.text
            answers[q.code] = answers.get(q.code, 0) + t.graded + t.not_applicable + t.not_answered
            if t.not_applicable:
                na.setdefault(q.code, []).append(SectorCount(sector, t.not_applicable))
            if t.not_answered:
                blank.setdefault(q.code, []).append(SectorCount(sector, t.not_answered))
    found = [NaBlankQuestion(code, texts[code], answers[code], _largest(na.get(code, [])),
                             _largest(blank.get(code, [])))
             for code in sorted(texts, key=code_key) if answers[code]]
    return [q for q in found if q.share >= NA_BLANK_SHARE]


def _largest(counts: list[SectorCount]) -> list[SectorCount]:
    return sorted(counts, key=lambda c: -c.count)  # stable: ties keep sector order
