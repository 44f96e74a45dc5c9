"""Passing the second factor as a person would: the support sign-in helpers set up an
authenticator app through the set-up page (reading the key shown there, as a person types it
into their app) and then enter real TOTP codes computed with pyotp. What each account was given
is remembered here, by email, so a later sign-in in the same test can compute its next code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyotp
from bs4 import BeautifulSoup, SoupStrainer

from portal.services.demo import DEMO_DOMAIN, DEMO_TOTP_KEY

STEP = 30


@dataclass
class Enrolment:
    key: str
    recovery_codes: list[str] = field(default_factory=list)
    last_step: int = 0


ENROLLED: dict[str, Enrolment] = {}


# Both are read at every staff sign-in: only the element wanted is kept from the parse.
def key_on(html: str) -> str:
    """The setup key the set-up page shows (in groups of four)."""
    shown = BeautifulSoup(html, "lxml", parse_only=SoupStrainer(id="setup-key")).find(id="setup-key")
    assert shown is not None, "no setup key on the page"
    return shown.get_text().replace(" ", "").strip()


def recovery_codes_on(html: str) -> list[str]:
    codes = BeautifulSoup(html, "lxml", parse_only=SoupStrainer(id="recovery-codes")).select("code")
    return [c.get_text().strip() for c in codes]


def code_at(key: str, step: int) -> str:
    return pyotp.TOTP(key).at(step * STEP)


def current_step() -> int:
    """The authenticator app's time step now: the server checks codes against the clock."""
    return int(datetime.now(UTC).timestamp()) // STEP


def enrolled(email: str, key: str) -> Enrolment:
    """Remember an account's key (set up by a helper or a test), replacing an earlier one."""
    ENROLLED[email.lower()] = made = Enrolment(key=key, last_step=current_step() - 2)
    return made


def next_code(email: str) -> tuple[str, bool]:
    """(a code the portal has not seen yet, whether it is a recovery code): the TOTP code of
    this step or the next (the portal accepts a step either side), else a recovery code."""
    enrolment = ENROLLED.get(email.lower())
    if enrolment is None and email.lower().endswith(f"@{DEMO_DOMAIN}"):
        enrolment = enrolled(email, DEMO_TOTP_KEY)  # `flask demo load` sets this key up
    assert enrolment is not None, f"{email} has a second factor no helper set up"
    step = max(current_step(), enrolment.last_step + 1)
    if step <= current_step() + 1:
        enrolment.last_step = step
        return code_at(enrolment.key, step), False
    assert enrolment.recovery_codes, f"{email} has no recovery codes left for the helper"
    return enrolment.recovery_codes.pop(), True
