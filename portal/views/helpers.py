"""Small things views share."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request

from portal.models import utcnow
from portal.services.accounts import LinkSettings
from portal.services.survey import SurveySettings
from portal.vocabulary import DB_INT_MAX

now = utcnow


def db_int(text: str) -> int:
    """A query value as a whole number a database integer can hold (else ValueError: ignored)."""
    if len(text) > 10:
        raise ValueError(text)
    value = int(text)
    if not 0 <= value <= DB_INT_MAX:
        raise ValueError(text)
    return value


def min_gap() -> int:
    """Working days between two chasers to one agency (setting CHASER_MIN_GAP_WORKING_DAYS)."""
    return int(current_app.config["CHASER_MIN_GAP_WORKING_DAYS"])


def shown_message() -> int:
    """Which message of a bulk send's preview to show (?message=N, from 0; the first if unset)."""
    return request.values.get("message", 0, type=db_int)


def link_settings() -> LinkSettings:
    return LinkSettings.from_config(current_app.config)


def client_ip() -> str | None:
    return request.remote_addr


def is_safe_next(target: str) -> bool:
    """Only same-site paths are followed after sign-in.

    Browsers drop tabs and newlines and read a backslash as a slash, so "/\t/evil.example"
    would become "//evil.example": any control character or backslash is refused outright."""
    if not target.startswith("/") or len(target) > 2000:
        return False
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not target.startswith("//")


def survey_settings() -> SurveySettings:
    """The practitioner survey's thresholds, from the settings."""
    return SurveySettings(min_responses=int(current_app.config["SURVEY_MIN_RESPONSES"]),
                          gap_share=float(current_app.config["SURVEY_GAP_SHARE"]))


def outcome_working_days() -> int:
    """Working days after a visit before its outcome is overdue (VISIT_OUTCOME_WORKING_DAYS)."""
    return int(current_app.config["VISIT_OUTCOME_WORKING_DAYS"])
