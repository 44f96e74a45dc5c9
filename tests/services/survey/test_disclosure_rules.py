"""The disclosure rules, property-tested: rounding, release, bands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.services.survey import _disclosure as rules

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

counts = st.integers(min_value=0, max_value=100_000)


@given(counts)
def test_a_rounded_count_is_a_multiple_of_five_within_two_of_the_count(n: int) -> None:
    shown = rules.rounded(n)
    assert shown % rules.BASE == 0 and abs(shown - n) <= 2


@given(counts, st.integers(min_value=1, max_value=50))
def test_nothing_is_released_while_open_or_under_the_minimum(n: int, minimum: int) -> None:
    assert not rules.releasable(n, closed=False, minimum=minimum)
    assert rules.releasable(n, closed=True, minimum=minimum) == (n >= minimum)


@given(st.dictionaries(st.sampled_from(["frontline", "manager", "volunteer", "under_1"]),
                       st.integers(min_value=1, max_value=40)), st.integers(min_value=2, max_value=20))
def test_a_band_is_shown_only_with_the_minimum_of_its_own(bands: dict[str, int], minimum: int) -> None:
    shown = rules.merged_bands(bands, minimum=minimum)
    for band, n in shown.items():
        assert n % rules.BASE == 0
        if band != rules.SMALL_BANDS:
            assert bands[band] >= minimum
    assert rules.SMALL_BANDS not in bands


@given(st.floats(min_value=0, max_value=1))
def test_a_rounded_share_is_within_two_and_a_half_points(share: float) -> None:
    assert abs(rules.rounded_share(share) - share) <= rules.SHARE_STEP / 2 + 1e-9
