"""Counts in words: the noun agrees with the number (issue 27: "1 moderation visits")."""

from __future__ import annotations

import pytest

from portal.services.common import counted

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


@pytest.mark.parametrize(("number", "expected"), [
    (0, "0 moderation visits"), (1, "1 moderation visit"), (2, "2 moderation visits"),
])
def test_the_noun_agrees_with_the_number(number: int, expected: str) -> None:
    assert counted(number, "moderation visit") == expected


def test_an_irregular_plural_is_given() -> None:
    assert counted(1, "agency", "agencies") == "1 agency"
    assert counted(12, "agency", "agencies") == "12 agencies"
