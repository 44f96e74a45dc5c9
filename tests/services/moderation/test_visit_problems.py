"""Where a bulk schedule's problems are shown: each on its own visit's field of the bulk page."""

from __future__ import annotations

import pytest

from portal.services.common import Problem
from portal.services.moderation import PlansRefused

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


def test_a_bulk_refusal_names_each_visits_own_field_on_the_bulk_page() -> None:
    refused = PlansRefused({
        12: [Problem("day", "Taken"), Problem("place", "Enter where")],
        13: [Problem("member", "Select"), Problem("duration", "Length"), Problem("manager", "Who")],
    })
    assert [p.field for p in refused.problems] == [
        "day_12", "place_12", "member_13", "day_13", "day_13"]  # no field of its own: the date
    assert refused.by_visit[13][1] == Problem("duration", "Length")

