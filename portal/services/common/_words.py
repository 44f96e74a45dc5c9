"""Counts in words: "1 moderation visit", "3 moderation visits", "no moderation visits"."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """The number and the noun in the form the number takes (plural defaults to singular + s)."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"
