"""The sampling rule itself: size, largest-remainder allocation, reproducible choice."""

from __future__ import annotations

from collections import Counter

import pytest

from portal.services.moderation import Unit, allocate, choose, sample_size

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

# 85 submitted returns, as in the reference year
SECTORS_85 = {"Health": 20, "Schools and colleges": 30, "Early years": 15,
              "Voluntary and community": 12, "GP practices": 8}


def population(counts: dict[str, int]) -> list[Unit]:
    units, next_id = [], 1
    for sector, count in counts.items():
        for _ in range(count):
            units.append(Unit(return_id=next_id, agency_id=1000 + next_id, sector=sector))
            next_id += 1
    return units


def test_sample_size_is_ten_percent_rounded_up_and_at_least_one() -> None:
    assert sample_size(85, 0.1) == 9
    assert sample_size(90, 0.1) == 9  # 0.1 x 90 is 9.000000000000002 in floating point
    assert sample_size(91, 0.1) == 10
    assert sample_size(3, 0.1) == 1
    assert sample_size(0, 0.1) == 0


def test_largest_remainder_allocation_of_nine_among_85() -> None:
    # quotas 9 x count / 85: Health 2.118, Schools 3.176, Early years 1.588,
    # Voluntary 1.271, GP 0.847 -> whole parts 2+3+1+1+0 = 7; the 2 places left go to the
    # largest remainders: GP (.847) and Early years (.588).
    assert allocate(SECTORS_85, 9) == {"Health": 2, "Schools and colleges": 3, "Early years": 2,
                                       "Voluntary and community": 1, "GP practices": 1}


def test_equal_remainders_go_to_sectors_in_name_order() -> None:
    assert allocate({"Health": 5, "Faith groups": 5, "Statutory": 5}, 1) == {
        "Health": 0, "Faith groups": 1, "Statutory": 0}
    assert allocate({"Health": 5, "Faith groups": 5, "Statutory": 5}, 2) == {
        "Health": 1, "Faith groups": 1, "Statutory": 0}


def test_choice_is_proportional_by_sector() -> None:
    units = population(SECTORS_85)
    sector_of = {u.return_id: u.sector for u in units}
    chosen = choose(units, rate=0.1, seed=2018)
    assert len(chosen) == 9
    assert Counter(sector_of[r] for r in chosen) == Counter(
        {"Health": 2, "Schools and colleges": 3, "Early years": 2,
         "Voluntary and community": 1, "GP practices": 1})


def test_same_seed_gives_same_sample_whatever_the_order_of_the_population() -> None:
    units = population(SECTORS_85)
    first = choose(units, rate=0.1, seed=424242)
    assert choose(list(reversed(units)), rate=0.1, seed=424242) == first
    others = {tuple(choose(units, rate=0.1, seed=seed)) for seed in range(1, 6)}
    assert len(others) > 1  # different seeds do pick differently


def test_excluded_agencies_are_never_chosen_and_the_size_holds() -> None:
    units = population({"Health": 10, "Statutory": 10})
    excluded = {u.agency_id for u in units if u.sector == "Health" and u.return_id <= 8}
    chosen = choose(units, rate=0.1, seed=7, excluded_agencies=excluded)
    assert len(chosen) == 2  # 10% of all 20 submitters, not of the 12 eligible
    assert not {u.return_id for u in units if u.agency_id in excluded} & set(chosen)
