"""What the pages the law asks for state: the accessibility checks every browser test runs (the
tests read them from here, so the statement says what is tested), the known issues, and the
cookies the portal sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# axe-core's rule sets run on every page of the browser tests, and the widths checked
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
AXE_TAG_LABELS = {"wcag2a": "WCAG 2.0 A", "wcag2aa": "WCAG 2.0 AA", "wcag21a": "WCAG 2.1 A",
                  "wcag21aa": "WCAG 2.1 AA", "wcag22aa": "WCAG 2.2 AA"}
WIDE_PX, NARROW_PX = 1280, 320
STATEMENT_PREPARED = date(2026, 12, 3)

# What is not accessible, or not checked: kept honest, and reviewed with the statement.
KNOWN_ISSUES = (
    ("The PDF reports are not tagged PDFs, so a screen reader may not read their tables in "
     "order, or at all.", "1.3.1 Info and relationships",
     "The same figures are on the report's web page and in its spreadsheet download."),
    ("Our checks are automated: axe-core finds only some kinds of problem, and no one has yet "
     "tested the portal by hand with a screen reader, speech recognition or magnification.",
     None, "A manual audit against WCAG 2.2 AA is planned before the next review."),
    ("Spreadsheet (XLSX), Word, CSV and calendar downloads are not checked for accessibility.",
     None, "Every figure in them is also on a web page."),
    ("Wide data tables (returns, agencies, results) scroll sideways inside their own box on "
     "small screens rather than reflowing (success criterion 1.4.10 Reflow allows this for "
     "data tables).", None, "The box can be reached and scrolled with the keyboard."),
    ("The emails the portal sends are not checked by the automated tests.", None,
     "They are plain text with a simple HTML version."),
)

SURVEY_COOKIE_PREFIX = "survey_"


@dataclass(frozen=True)
class CookieInfo:
    """One cookie the portal sets: its name (a <placeholder> stands for a part that varies)."""

    name: str
    purpose: str
    lifetime: str
    essential: bool = True


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return f"{days} days" if days != 1 else "1 day"
    return f"{minutes} minutes" if minutes != 1 else "1 minute"


def cookies(config: Mapping[str, Any], *, survey_days: int) -> list[CookieInfo]:
    """Every cookie the portal sets, as configured (the session cookie's name is __Host-session
    in production)."""
    idle = timedelta(minutes=int(config["SESSION_TIMEOUT_MINUTES"]))
    return [
        CookieInfo(
            name=str(config["SESSION_COOKIE_NAME"]),
            purpose=("Keeps you signed in (a random number that names your sign-in on our "
                     "server) and protects our forms from being sent from other sites (a "
                     "security token). Set on your first page."),
            lifetime=(f"{_duration(idle)} after your last page, renewed on each page; you are "
                      f"signed out after {_duration(idle)} without activity or "
                      f"{config['SESSION_ABSOLUTE_HOURS']} hours in all")),
        CookieInfo(
            name=f"{SURVEY_COOKIE_PREFIX}<link>",
            purpose=("Remembers that someone has answered the practitioner survey from this "
                     "device, so the next person is told (they can still answer). It holds no "
                     "answers and nothing about you; <link> is the start of the survey link."),
            lifetime=f"{survey_days} days"),
    ]
