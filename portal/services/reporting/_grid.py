"""The MESC report's sector x standard grid: its cells, and when a cell is too few to compare.

"Too few to compare" is decided by agencies, not answers: a sector where one agency returned
has dozens of graded answers, and its figure is still that one agency's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from portal.services.analysis import Tally, code_key

MIN_GRADED = 5  # fewer graded answers: a small number, marked in the tables; no change given
MIN_AGENCIES = 3  # fewer agencies with graded answers than this: too few to compare (grid cells)


class Ranked(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def tally(self) -> Tally: ...


class Section(Protocol):
    """A sector section of the report: its sector and its standards' rows."""

    @property
    def sector(self) -> str: ...

    @property
    def standards(self) -> Sequence[Ranked]: ...


def too_few(tally: Tally | None, agencies: int | None = None) -> bool:
    """Answered (or marked N/A) but graded by fewer than MIN_AGENCIES agencies: marked, never
    shaded. `agencies` is None only in a report published before agencies were counted, which
    keeps the rule it was published with (fewer than MIN_GRADED graded answers)."""
    if tally is None:
        return False
    return tally.graded < MIN_GRADED if agencies is None else agencies < MIN_AGENCIES


def small_n(tally: Tally) -> bool:
    """A percentage from a small number of graded answers (but some): marked in the tables."""
    return 0 < tally.graded < MIN_GRADED


@dataclass(frozen=True)
class GridCell:
    """One grid cell as shown: its tally, how many agencies graded it, and whether too few."""

    tally: Tally | None
    agencies: int | None
    too_few: bool


@dataclass(frozen=True)
class GridRow:
    code: str
    title: str
    cells: list[Tally | None]  # one per grid sector; None when the sector had no such answers
    # agencies with graded answers, one per grid sector (empty in reports published before)
    agencies: list[int] = field(default_factory=list)

    @property
    def shown(self) -> list[GridCell]:
        counts: list[int | None] = list(self.agencies) or [None] * len(self.cells)
        return [GridCell(t, n, too_few(t, n)) for t, n in zip(self.cells, counts, strict=True)]


@dataclass(frozen=True)
class TooFew:
    """A sector whose grid cells for these standards rest on fewer than MIN_AGENCIES agencies."""

    sector: str
    codes: list[str]


def grid_rows(sections: Sequence[Section], agencies: dict[tuple[str, str], int]) -> list[GridRow]:
    """Standards (in tool order) x sectors, from the sector tables, with the number of agencies
    behind each cell."""
    cells: dict[str, dict[str, Tally]] = {}
    titles: dict[str, str] = {}
    for section in sections:
        for row in section.standards:
            cells.setdefault(row.code, {})[section.sector] = row.tally
            titles[row.code] = row.title
    return [GridRow(code, titles[code], [cells[code].get(s.sector) for s in sections],
                    [agencies.get((s.sector, code), 0) for s in sections])
            for code in sorted(cells, key=code_key)]
