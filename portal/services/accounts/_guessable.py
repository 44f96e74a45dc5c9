"""Guessable passwords: the commonly used and breached ones (an offline list shipped with the
portal), email addresses, and the words anybody guessing at this service would try first."""

from __future__ import annotations

import gzip
import re
import string
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

# The most common passwords, lowercased, one a line: see README.md beside this file.
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt.gz")
PORTAL_NAME = "Compact Audit Portal"
SERVICE_WORDS = ("safeguarding", "compact", "audit", "compact audit", "portal", "partnership")
# Published example passwords (xkcd 936) and the README's demo password: famous, so guessed first.
FAMOUS = frozenset({"correcthorsebatterystaple", "tr0ub4dor&3", "tr0ub4dor3", "compactauditdemo"})
_TRAILING = string.digits + string.punctuation + string.whitespace
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


def forms_of(password: str) -> set[str]:
    """The password as typed (lowercased), without trailing digits and punctuation, and both
    again without spaces and punctuation: "Sunshine 2026!" is "sunshine" with decoration."""
    lower = password.strip().lower()
    stripped = lower.rstrip(_TRAILING)
    forms = {lower, stripped, squashed(lower), squashed(stripped)}
    return {form for form in forms if form}


def squashed(text: str) -> str:
    """Without spaces and punctuation."""
    return re.sub(r"[\W_]+", "", text)


def is_common(password: str) -> bool:
    forms = forms_of(password)
    return bool(forms & FAMOUS) or bool(forms & common_passwords())


def is_email_address(password: str) -> bool:
    return _EMAIL.fullmatch(password.strip()) is not None


def context_words(user_inputs: Iterable[str], *, partnership: str, year: int) -> list[str]:
    """What zxcvbn should count as guessable here: each name whole and word by word."""
    phrases = [partnership, PORTAL_NAME, *SERVICE_WORDS, str(year), *user_inputs]
    words: list[str] = []
    for phrase in phrases:
        words += _pieces(phrase)
    return list(dict.fromkeys(words))


def _pieces(phrase: str) -> Sequence[str]:
    lower = phrase.strip().lower()
    if not lower:
        return []
    return [piece for piece in (lower, squashed(lower), *re.split(r"[\W_]+", lower)) if piece]


def made_of(password: str, words: Sequence[str], *, at_least: int = 4) -> bool:
    """Whether the password is these words (and digits and punctuation) with fewer than
    `at_least` letters of its own: "Anyshire Partnership 2026!" given the partnership's name.
    zxcvbn counts three words of any kind as a hundred million guesses, however guessable."""
    rest = squashed(password.lower())
    for word in sorted({squashed(w) for w in words if len(squashed(w)) >= 3}, key=len,
                       reverse=True):
        rest = rest.replace(word, "")
    return sum(c.isalpha() for c in rest) < at_least
