"""A tool version's standards, questions and grade descriptors as immutable values, cached in
process.

A tool version never changes once loaded (a new edition is a new version), so every request that
shows or saves a return can share one copy instead of reloading some 250 rows. The cache belongs
to the database engine (a test's database, or the app's) and is keyed by the version's id,
checksum and load time, so a database rebuilt under the same engine never serves a stale copy.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from portal.models import Question, Standard, ToolVersion
from portal.vocabulary import Variant

_SHORT = Variant.SHORT.value
T = TypeVar("T")


@dataclass(frozen=True)
class DescriptorOutline:
    grade: str
    text: str
    position: int
    short_text: str | None = None

    def text_for(self, variant: str) -> str:
        return (self.short_text if variant == _SHORT else None) or self.text


@dataclass(frozen=True)
class QuestionOutline:
    id: int
    standard_id: int
    code: str
    text: str
    position: int
    in_full: bool
    in_schools: bool
    in_short: bool
    short_text: str | None = None
    descriptors: tuple[DescriptorOutline, ...] = ()

    @property
    def variants(self) -> list[str]:
        flags = {Variant.FULL: self.in_full, Variant.SCHOOLS: self.in_schools,
                 Variant.SHORT: self.in_short}
        return [v.value for v, on in flags.items() if on]

    def in_variant(self, variant: str) -> bool:
        return variant in self.variants

    def text_for(self, variant: str) -> str:
        """The question in the variant's own words."""
        return (self.short_text if variant == _SHORT else None) or self.text


@dataclass(frozen=True)
class StandardOutline:
    id: int
    code: str
    title: str
    summary: str
    position: int
    short_title: str | None = None
    short_summary: str | None = None
    questions: tuple[QuestionOutline, ...] = ()

    def title_for(self, variant: str) -> str:
        return (self.short_title if variant == _SHORT else None) or self.title

    def summary_for(self, variant: str) -> str:
        return (self.short_summary if variant == _SHORT else None) or self.summary


@dataclass(frozen=True)
class ToolOutline:
    id: int
    version: str
    title: str
    pages: dict[str, Any] | None
    standards: tuple[StandardOutline, ...]
    _derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value worked out from this version once (say, a variant's pages) and kept with it."""
        if key not in self._derived:
            self._derived[key] = build()
        return cast(T, self._derived[key])


@functools.cache
def with_contents() -> _AbstractLoad:
    """A tool version with its standards, their questions and the questions' grade descriptors.
    Built on first use, not at import: building it configures every mapper (about a quarter of a
    second), which a command that never loads a tool (`flask --help`) need not pay."""
    return (selectinload(ToolVersion.standards).selectinload(Standard.questions)
            .selectinload(Question.descriptors))

_Key = tuple[int, str, datetime]
_cache: weakref.WeakKeyDictionary[Engine, dict[_Key, ToolOutline]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def tool_outline(session: Session, tool: ToolVersion) -> ToolOutline:
    """The tool version's standards, questions and descriptors, loaded once per process."""
    engine = session.get_bind()
    key = (tool.id, tool.checksum, tool.loaded_at)
    with _lock:
        found = _cache.get(engine, {}).get(key) if isinstance(engine, Engine) else None
    if found is not None:
        return found
    outline = _outline(session, tool.id)
    if isinstance(engine, Engine):
        with _lock:
            _cache.setdefault(engine, {})[key] = outline
    return outline


def _outline(session: Session, tool_id: int) -> ToolOutline:
    tool = session.scalars(select(ToolVersion).where(ToolVersion.id == tool_id)
                           .options(with_contents())).one()
    return ToolOutline(
        id=tool.id, version=tool.version, title=tool.title, pages=tool.pages,
        standards=tuple(
            StandardOutline(
                id=s.id, code=s.code, title=s.title, summary=s.summary, position=s.position,
                short_title=s.short_title, short_summary=s.short_summary,
                questions=tuple(
                    QuestionOutline(
                        id=q.id, standard_id=q.standard_id, code=q.code, text=q.text,
                        position=q.position, in_full=q.in_full, in_schools=q.in_schools,
                        in_short=q.in_short, short_text=q.short_text,
                        descriptors=tuple(DescriptorOutline(d.grade, d.text, d.position,
                                                            d.short_text)
                                          for d in q.descriptors))
                    for q in s.questions))
            for s in tool.standards))
