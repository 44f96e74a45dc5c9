"""How long the portal keeps personal data (the defaults are in config: RETENTION_*)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

ERASED_DOMAIN = "erased.invalid"  # an erased account's stand-in address: never deliverable


@dataclass(frozen=True)
class RetentionPolicy:
    """Each period is counted back from `now`; see docs/data-protection.md for why each."""

    outbox_body_days: int = 30  # an email's body and attachments, after it was delivered
    disable_after_days: int = 730  # an account nobody signed in to for 2 years is disabled
    erase_after_disabled_days: int = 365  # and anonymised a year after it was disabled
    left_agency_contact_days: int = 90  # contacts of an agency that left, after it left
    audit_years: int = 6  # audit events

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetentionPolicy:
        return cls(outbox_body_days=int(config["RETENTION_OUTBOX_BODY_DAYS"]),
                   disable_after_days=int(config["RETENTION_DISABLE_AFTER_DAYS"]),
                   erase_after_disabled_days=int(config["RETENTION_ERASE_AFTER_DISABLED_DAYS"]),
                   left_agency_contact_days=int(config["RETENTION_LEFT_AGENCY_CONTACT_DAYS"]),
                   audit_years=int(config["RETENTION_AUDIT_YEARS"]))


def years_before(now: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def days_before(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
