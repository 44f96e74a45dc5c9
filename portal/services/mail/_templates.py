"""Email bodies from templates/email/*.txt and *.html (plain Jinja, usable outside a request)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal import paths

from ._outbox import Attachment, Email

EMAIL_TEMPLATES = paths.TEMPLATES / "email"
SUBJECT_LIMIT = 300  # the outbox's column: a subject built from long names is cut to fit


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(EMAIL_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no file check for every email
    )


@cache
def _has_html(template: str) -> bool:
    return (EMAIL_TEMPLATES / f"{template}.html").exists()


def render_email(
    template: str, /, *, to: str, subject: str, attachments: list[Attachment] | None = None, **context: Any
) -> Email:
    """An Email from `<template>.txt` and, when it exists, `<template>.html`."""
    env = _environment()
    subject = clip_subject(subject)
    context = {"subject": subject, **context}
    text = env.get_template(f"{template}.txt").render(**context)
    html = None
    if _has_html(template):
        html = env.get_template(f"{template}.html").render(**context)
    return Email(to=to, subject=subject, text=text, html=html, attachments=attachments or [])


def clip_subject(subject: str) -> str:
    """The subject, cut with an ellipsis if it is longer than the outbox holds."""
    if len(subject) <= SUBJECT_LIMIT:
        return subject
    return subject[:SUBJECT_LIMIT - 1].rstrip() + "…"
