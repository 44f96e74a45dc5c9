"""Making a partnership (the operator's `flask partnerships create`)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Partnership
from portal.services.common import Invalid, Problem, Scope, check_texts, text_problems

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTH = 40
# A partnership's pages will live under /<slug>: a slug may not be a page of the person or the
# service at the root (docs/architecture.md, "Routing").
RESERVED = frozenset({
    "accessibility", "account", "admin", "agency", "api", "assets", "auth", "chasers",
    "committee", "cookies", "cycles", "forgot-password", "healthz", "legal", "manager", "metrics",
    "moderation", "operator", "partnerships", "passkeys", "privacy", "recommendations",
    "reports", "requests", "security", "sessions", "set-password", "sign-in", "sign-out", "sso",
    "static", "survey", "survey-results", "well-known",
})


def create_partnership(session: Session, *, slug: str, name: str, help_email: str,
                       now: datetime) -> Scope:
    """A new partnership, with no one in it yet (its first manager: `flask users create`)."""
    check_texts(text_problems("name", name, label="The name", kind="name"))
    problems = [*_slug_problems(session, slug), *_email_problems(help_email)]
    if not name.strip():
        problems.append(Problem("name", "Enter the partnership's name"))
    if problems:
        raise Invalid(problems)
    made = Partnership(slug=slug, name=name.strip(), help_email=help_email.strip().lower(),
                       created_at=now)
    session.add(made)
    session.flush()
    return Scope(id=made.id, slug=made.slug, name=made.name)


def _slug_problems(session: Session, slug: str) -> list[Problem]:
    if not SLUG.fullmatch(slug) or len(slug) > SLUG_LENGTH:
        return [Problem("slug", f"The slug '{slug}' must be lower case letters, digits and "
                                f"single hyphens between them, at most {SLUG_LENGTH} characters, "
                                "like 'north-shire'")]
    if slug in RESERVED:
        return [Problem("slug", f"The slug '{slug}' is the name of one of the service's own "
                                "pages: choose another")]
    if session.scalar(select(Partnership.id).where(Partnership.slug == slug)) is not None:
        return [Problem("slug", f"There is already a partnership with the slug '{slug}'")]
    return []


def _email_problems(email: str) -> list[Problem]:
    from email_validator import (  # lazily: its tables cost 20 ms of every start
        EmailNotValidError,
        validate_email,
    )

    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return [Problem("help_email", "Enter the help address in the correct format, like "
                                      "help@example.org")]
    return []
