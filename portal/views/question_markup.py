"""A standard page's questions from cached fragments, not the GOV.UK macros on every view.

The macros (radios, textareas, inputs, a date input, a fieldset) cost about four fifths of the
page's CPU. Their markup for a question depends on the question (static for a tool version) and
on a few things per view: which fields have errors and which short inputs have a value (both
change the markup's shape), and then texts (values, error messages, the hint) and which grade is
checked. So each shape of a question is rendered once, by the same macro the page used
(templates/agency/_question.html), with marker texts in place of the per-view texts; the result is
split at the markers into a fragment, and a view fills the fragment in, escaped as Jinja escapes.

A value with a line break in a single-line field, which the macros might indent, is rendered by
the macro instead. tests/web/agency/test_question_markup.py compares both for every kind of
question and error."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from forms.common import example_hint
from portal.filters import grade_label

TEMPLATE = "agency/_question.html"
TEXTAREAS = ("reason", "what", "comment")  # values in a <textarea>: line breaks kept as they are
ALWAYS = frozenset(f"value:{name}" for name in TEXTAREAS)  # a slot even when empty
INPUTS = ("who", "by-{}-day", "by-{}-month", "by-{}-year")  # attribute only when not empty
ERRORS = ("reason", "grade", "what", "who", "by-{}-day", "comment")
MARKER = re.compile(r"QQSLOT(\d+)QQ")
_KEPT = 20_000  # fragments kept per process: a few hundred questions, a few shapes each
_fragments: dict[tuple[Any, ...], Fragment | None] = {}


@dataclass(frozen=True)
class Fragment:
    """A question's markup in one shape: static text between numbered slots."""

    parts: tuple[str, ...]  # static text; a slot between each two
    slots: tuple[tuple[str, str], ...]  # (kind, key): "text" a value's key, "checked" a grade

    def fill(self, texts: Mapping[str, object], checked: str | None) -> Markup:
        out = [self.parts[0]]
        for (kind, key), after in zip(self.slots, self.parts[1:], strict=True):
            if kind == "checked":
                out.append(" checked" if key == checked else "")
            else:
                out.append(str(escape(texts[key])))
            out.append(after)
        return Markup("".join(out))  # nosec B704: the macro's own markup, every value escaped


@dataclass(frozen=True)
class QuestionContext:
    """What the page's questions share: the variant, the answers shown, errors, copies, previous."""

    grouped: bool
    variant: str
    values: Mapping[str, Any]
    error_for: Mapping[str, str]
    copied: Mapping[str, str]
    previous: Any


def fragments_kept() -> tuple[int, int]:
    """How many question shapes are kept as fragments, and how many were left to the macro."""
    refused = sum(1 for found in _fragments.values() if found is None)
    return len(_fragments) - refused, refused


def _field(name: str, slug: str) -> str:
    return name.format(slug) if "{}" in name else f"{name}-{slug}"


def hint(context: QuestionContext, code: str, last: Any) -> str:
    """The radios' hint, as the macro words it: copied, the question code, the previous answer."""
    copied = context.copied.get(code)
    previous = context.previous
    if last:
        said = f"Your answer in {previous.cycle}: {grade_label(last.grade)}."
    elif previous:
        said = f"You did not answer this question in {previous.cycle}."
    else:
        said = "Choose one grade."
    return (f"Copied from {copied}, check it. " if copied else "") + \
        (f"Question code {code}. " if context.grouped else "") + said


def _texts(context: QuestionContext, slug: str, code: str, last: Any) -> dict[str, object]:
    """Every per-view text of a question, by key (values, errors, the hints)."""
    texts: dict[str, object] = {"hint": hint(context, code, last), "date-hint": example_hint(91)}
    for name in TEXTAREAS + INPUTS:
        texts[f"value:{name}"] = context.values.get(_field(name, slug), "")
    for name in ERRORS:
        texts[f"error:{name}"] = context.error_for.get(_field(name, slug))
    return texts


def _shape(texts: Mapping[str, object]) -> tuple[bool, ...]:
    return tuple(bool(texts[f"value:{n}"]) for n in INPUTS) + \
        tuple(bool(texts[f"error:{n}"]) for n in ERRORS)


def _macro() -> Callable[..., Markup]:
    return current_app.jinja_env.get_template(TEMPLATE).module.question_fields  # type: ignore[attr-defined]


def render_by_macro(question: Any, n: str, slug: str, last: Any,
                    context: QuestionContext) -> Markup:
    """The question as the GOV.UK macros render it (the reference the fragments must equal)."""
    return _macro()(question, question.code, n, slug, context.grouped, context.variant,
                    context.values, context.error_for, context.copied, context.previous, last,
                    example_hint)


def _single_line(texts: Mapping[str, object]) -> bool:
    """Whether every text outside a textarea is on one line (the macros may indent the rest)."""
    return not any(isinstance(v, str) and ("\n" in v or "\r" in v)
                   for k, v in texts.items() if k not in ALWAYS)


def renderer(context: QuestionContext) -> Callable[[Any, str, str, Any], Markup]:
    """The page's `question_html(question, n, slug, last)`: from fragments, or by the macro when
    the app's QUESTION_FRAGMENTS is off (the reference the tests compare with)."""
    chosen = render if current_app.config.get("QUESTION_FRAGMENTS", True) else render_by_macro
    return lambda question, n, slug, last: chosen(question, n, slug, last, context)


def render(question: Any, n: str, slug: str, last: Any, context: QuestionContext) -> Markup:
    """The question's markup, from its cached fragment when it can be, else by the macro."""
    texts = _texts(context, slug, question.code, last)
    if not _single_line(texts):
        return render_by_macro(question, n, slug, last, context)
    key = (question.code, question.text_for(context.variant), n, context.grouped,
           context.variant, tuple((d.grade, d.text_for(context.variant))
                                  for d in question.descriptors), _shape(texts))
    if key not in _fragments:
        if len(_fragments) >= _KEPT:
            _fragments.clear()
        _fragments[key] = _compile(question, n, slug, context, texts)
    fragment = _fragments[key]
    if fragment is None:  # the markers did not come through whole: keep to the macro
        return render_by_macro(question, n, slug, last, context)
    return fragment.fill(texts, context.values.get(f"grade-{slug}"))


def _compile(question: Any, n: str, slug: str, context: QuestionContext,
             texts: Mapping[str, object]) -> Fragment | None:
    """The question rendered once by the macro with markers for its texts, split at them."""
    keys = [k for k, v in texts.items() if k != "hint" and (v or k in ALWAYS)]
    marker = {key: f"QQSLOT{i}QQ" for i, key in enumerate(keys)}
    values = {_field(k.split(":")[1], slug): marker[k] for k in keys if k.startswith("value:")}
    errors = {_field(k.split(":")[1], slug): marker[k] for k in keys if k.startswith("error:")}
    plain = QuestionContext(context.grouped, context.variant, values, errors, {}, None)
    html = str(_macro()(question, question.code, n, slug, plain.grouped, plain.variant, values,
                        errors, {}, None, None, lambda _days: marker["date-hint"]))
    return _split(html, question, slug, marker, hint(plain, question.code, None))


def _split(html: str, question: Any, slug: str, marker: dict[str, str],
           plain_hint: str) -> Fragment | None:
    slots = [("text", key) for key in marker]
    hint_text = str(escape(plain_hint))
    if html.count(hint_text) != 1:
        return None
    html = html.replace(hint_text, f"QQSLOT{len(slots)}QQ")
    slots.append(("text", "hint"))
    for d in [*question.descriptors, _NotApplicable]:
        tag = f'name="grade-{slug}" type="radio" value="{d.grade}"'
        if html.count(tag) != 1:
            return None
        html = html.replace(tag, f"{tag}QQSLOT{len(slots)}QQ")
        slots.append(("checked", d.grade))
    pieces = MARKER.split(html)
    order = [int(i) for i in pieces[1::2]]
    if set(order) != set(range(len(slots))):
        return None
    return Fragment(tuple(pieces[0::2]), tuple(slots[i] for i in order))


class _NotApplicable:
    grade = "not_applicable"
