"""The moderation sample: a reproducible, sector-proportional draw of submitted returns.

The rule, in one place:

1. The population is the cycle's submitted returns when the sample is drawn.
2. n = max(1, ceil(rate x population)): the partnership's commitment (10% by default) is a share
   of *all* providers that submitted, so excluded agencies do not lower it.
3. Agencies visited (a visit that was not cancelled) in the last N cycles can be excluded; what is
   left is the eligible population (n is capped at its size).
4. n is spread across sectors in proportion to their eligible returns by the largest-remainder
   method: each sector's quota is n x count / total; every sector gets the whole part, and the
   places left over go to the largest fractional remainders, ties by sector name.
5. Within each sector, in sector-name order, one `random.Random(seed)` picks the sector's quota
   from its return ids sorted ascending.

The seed, population and choice are stored; `rederive` repeats steps 3-5 from them.

Targeted sampling (`targeted` > 0, e.g. 0.5): before step 4, round(targeted x n) half up places
go to the eligible returns whose agencies have the most practitioner-survey corroboration gaps
(most gaps first, then the lowest agreement, then agency name; only agencies with at least one
gap and enough responses to be shown). Steps 4-5 then draw the remaining places at random from
the rest. The targeted return ids are stored too, so the draw re-derives from the seed.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Cycle,
    CycleStatus,
    ModerationSample,
    Return,
    ReturnStatus,
    Sector,
    Visit,
    VisitStatus,
)
from portal.services import audit
from portal.services.common import Invalid, Refused, check_texts, text_problems
from portal.services.cycles import is_past_deadline

DEFAULT_RATE = 0.1
MAX_SEED = 2**31  # seeds are stored in a 32-bit integer column


@dataclass(frozen=True)
class Unit:
    """One member of the population: a submitted return, its agency and the agency's sector."""

    return_id: int
    agency_id: int
    sector: str


@dataclass(frozen=True)
class ChosenReturn:
    return_id: int
    agency: str
    sector: str
    how: str = "at random"  # or "largest survey gaps"

GAPS_REASON = "largest survey gaps"


@dataclass(frozen=True)
class Rederivation:
    chosen: list[int]
    matches: bool


# --- the pure rule -----------------------------------------------------------------------------

def sample_size(population: int, rate: float) -> int:
    """ceil(rate x population), at least 1 (0 when nothing was submitted)."""
    if population == 0:
        return 0
    # round() first so that 0.1 x 90 (9.000000000000002 in floating point) is 9, not 10
    return max(1, math.ceil(round(rate * population, 9)))


def allocate(counts: Mapping[str, int], n: int) -> dict[str, int]:
    """Split n places across sectors in proportion to counts, by largest remainder."""
    total = sum(counts.values())
    if total == 0 or n == 0:
        return {sector: 0 for sector in counts}
    quotas = {sector: Fraction(n * count, total) for sector, count in counts.items()}
    places = {sector: math.floor(quota) for sector, quota in quotas.items()}
    left = n - sum(places.values())
    by_remainder = sorted(quotas, key=lambda s: (-(quotas[s] - places[s]), s))
    for sector in by_remainder[:left]:
        places[sector] += 1
    return places


def choose(units: Iterable[Unit], *, rate: float, seed: int, population_size: int | None = None,
           excluded_agencies: Iterable[int] = ()) -> list[int]:
    """The chosen return ids (sorted) for a population, rate and seed."""
    return choose_targeted(units, rate=rate, seed=seed, population_size=population_size,
                           excluded_agencies=excluded_agencies)[1]


def choose_targeted(
    units: Iterable[Unit], *, rate: float, seed: int, targeted: float = 0.0,
    ranked: Iterable[int] = (), population_size: int | None = None,
    excluded_agencies: Iterable[int] = (),
) -> tuple[list[int], list[int]]:
    """(the targeted return ids, every chosen return id), both sorted; `ranked` lists return ids
    by survey gaps, largest first."""
    units = list(units)
    n = sample_size(population_size if population_size is not None else len(units), rate)
    excluded = set(excluded_agencies)
    eligible = [u for u in units if u.agency_id not in excluded]
    n = min(n, len(eligible))
    eligible_ids = {u.return_id for u in eligible}
    places = math.floor(targeted * n + 0.5)
    picked = [r for r in dict.fromkeys(ranked) if r in eligible_ids][:places]
    by_sector: dict[str, list[int]] = defaultdict(list)
    for unit in eligible:
        if unit.return_id not in picked:
            by_sector[unit.sector].append(unit.return_id)
    quotas = allocate({sector: len(ids) for sector, ids in by_sector.items()}, n - len(picked))
    # A stored seed anyone can re-run (DESIGN.md): accepted in bandit-findings.md.
    rng = random.Random(seed)  # nosec B311
    chosen = list(picked)
    for sector in sorted(by_sector):
        chosen += rng.sample(sorted(by_sector[sector]), quotas[sector])
    return sorted(picked), sorted(chosen)


# --- reading and storing -----------------------------------------------------------------------

def submitted_population(session: Session, cycle: Cycle) -> list[Unit]:
    """The cycle's submitted returns with their agencies' sectors, by return id."""
    rows = session.execute(
        select(Return.id, Return.agency_id, Sector.name)
        .join(Agency, Agency.id == Return.agency_id).join(Sector, Sector.id == Agency.sector_id)
        .where(Return.cycle_id == cycle.id, Return.status == ReturnStatus.SUBMITTED.value)
        .order_by(Return.id)
    )
    return [Unit(return_id, agency_id, sector) for return_id, agency_id, sector in rows]


def units_of(session: Session, return_ids: list[int]) -> list[Unit]:
    """Stored population ids back into units (with the agencies' sectors now)."""
    if not return_ids:
        return []
    rows = session.execute(
        select(Return.id, Return.agency_id, Sector.name)
        .join(Agency, Agency.id == Return.agency_id).join(Sector, Sector.id == Agency.sector_id)
        .where(Return.id.in_(return_ids)).order_by(Return.id)
    )
    return [Unit(return_id, agency_id, sector) for return_id, agency_id, sector in rows]


def recently_visited(session: Session, cycle: Cycle, cycles_back: int) -> set[int]:
    """Agencies with a visit (not cancelled) in the `cycles_back` cycles before this one."""
    if cycles_back <= 0:
        return set()
    earlier = list(session.scalars(
        select(Cycle.id).where(Cycle.deadline < cycle.deadline, Cycle.id != cycle.id,
                               Cycle.status != CycleStatus.DRAFT.value)
        .order_by(Cycle.deadline.desc()).limit(cycles_back)
    ))
    if not earlier:
        return set()
    return set(session.scalars(
        select(Return.agency_id).join(Visit, Visit.return_id == Return.id)
        .where(Return.cycle_id.in_(earlier), Visit.status != VisitStatus.CANCELLED.value)
    ))


def current_sample(session: Session, cycle: Cycle) -> ModerationSample | None:
    """The cycle's sample in force (not superseded by a redraw)."""
    return session.scalar(
        select(ModerationSample)
        .where(ModerationSample.cycle_id == cycle.id, ModerationSample.superseded_at.is_(None))
        .order_by(ModerationSample.id.desc()).limit(1)
    )


def sample_history(session: Session, cycle: Cycle) -> list[ModerationSample]:
    """Every draw for the cycle, newest first."""
    return list(session.scalars(
        select(ModerationSample).where(ModerationSample.cycle_id == cycle.id)
        .order_by(ModerationSample.id.desc())
    ))


def draw_sample(
    session: Session, *, cycle: Cycle, rate: float, seed: int, now: datetime,
    user_id: int | None, exclude_recent_cycles: int = 0, reason: str | None = None,
    cancel_visits: Callable[[ModerationSample], None], replacing: int | None = None,
    targeted: float = 0.0, ranked: Callable[[], list[int]] = list,
) -> ModerationSample:
    """Draw and store the cycle's sample; a redraw needs a reason, supersedes the last one and
    hands it to `cancel_visits` (see _programme.draw_sample, which joins samples and visits).

    `replacing` is the sample in force when the form was shown (0 for none): if another
    request (a double click) has drawn since, that sample is returned instead of a second one.
    `targeted` gives that share of the places to `ranked()` (return ids, largest survey gaps first).
    """
    _check_request(cycle, rate=rate, seed=seed, exclude=exclude_recent_cycles, now=now,
                   targeted=targeted)
    check_texts(text_problems("reason", reason, label="The reason", limit=2000))
    # Draws of one cycle queue here, so the second sees the first's sample: an UPDATE that
    # changes nothing locks the row on PostgreSQL and, as the first write, makes SQLite's
    # transaction wait for the writer lock before it reads (a SELECT FOR UPDATE does not there).
    session.execute(update(Cycle).where(Cycle.id == cycle.id).values(id=Cycle.id)
                    .execution_options(synchronize_session=False))
    population = submitted_population(session, cycle)
    if not population:
        raise Refused(f"No returns have been submitted in cycle {cycle.label}")
    previous = current_sample(session, cycle)
    if previous is not None and replacing is not None and previous.id != replacing:
        return previous
    reason = (reason or "").strip() or None
    if previous is not None:
        _supersede(previous, reason=reason, now=now, cancel_visits=cancel_visits)
        session.flush()  # the old one leaves the "one in force" index before the new one enters
    excluded = recently_visited(session, cycle, exclude_recent_cycles)
    picked, chosen = choose_targeted(population, rate=rate, seed=seed, targeted=targeted,
                                     ranked=ranked() if targeted else [],
                                     excluded_agencies=excluded)
    sample = ModerationSample(
        cycle_id=cycle.id, rate=rate, seed=seed, exclude_recent_cycles=exclude_recent_cycles,
        population=[u.return_id for u in population], chosen=chosen, targeted=targeted,
        targeted_chosen=picked, drawn_at=now, drawn_by_id=user_id, redraw_reason=reason if previous else None,
    )
    session.add(sample)
    session.flush()
    audit.record(session, action="moderation_sample.redrawn" if previous else
                 "moderation_sample.drawn", entity_type="moderation_sample", entity_id=sample.id,
                 user_id=user_id, cycle=cycle.label, rate=rate, seed=seed,
                 exclude_recent_cycles=exclude_recent_cycles, population=len(population),
                 chosen=sample.chosen, targeted=targeted, targeted_chosen=picked, reason=sample.redraw_reason,
                 previous_sample_id=previous.id if previous else None)
    return sample


def when_drawable(session: Session, cycle: Cycle, *, now: datetime) -> str | None:
    """Why the sample cannot be drawn yet, saying when it can; None when it can be drawn."""
    if not is_past_deadline(cycle, now=now):
        first = cycle.deadline + timedelta(days=1)
        return (f"You can draw the sample from {first.day} {first:%B %Y}, the day after the "
                f"deadline")
    if not _any_submitted(session, cycle):
        return ("You can draw the sample once at least one return has been submitted: none has "
                "been yet")
    return None


def _any_submitted(session: Session, cycle: Cycle) -> bool:
    """One row at most: the manager's home asks this of every cycle on each view."""
    return session.scalar(select(Return.id).where(
        Return.cycle_id == cycle.id, Return.status == ReturnStatus.SUBMITTED.value).limit(1)
    ) is not None


def _check_request(cycle: Cycle, *, rate: float, seed: int, exclude: int, now: datetime,
                   targeted: float = 0.0) -> None:
    if not is_past_deadline(cycle, now=now):
        raise Refused(f"You can draw the sample after the deadline "
                           f"({cycle.deadline.day} {cycle.deadline:%B %Y})")
    if not 0 < rate <= 1:
        raise Invalid.at("rate", "The rate must be more than 0% and at most 100%")
    if not 0 <= seed < MAX_SEED:
        raise Invalid.at("seed", f"The seed must be a whole number from 0 to {MAX_SEED - 1}")
    if exclude < 0:
        raise Invalid.at("exclude_recent", "The number of recent cycles to exclude must be 0 or more")
    if not 0 <= targeted <= 1:
        raise Invalid.at("targeted", "The targeted share must be from 0 to 1")


def _supersede(previous: ModerationSample, *, reason: str | None, now: datetime,
               cancel_visits: Callable[[ModerationSample], None]) -> None:
    if reason is None:
        raise Invalid.at("reason", f"A sample has already been drawn for {previous.cycle.label}: "
                           "give a reason to redraw it")
    cancel_visits(previous)
    previous.superseded_at = now


def rederive(session: Session, sample: ModerationSample) -> Rederivation:
    """Repeat the draw from the stored seed, rate and population; say whether it matches."""
    units = units_of(session, list(sample.population))
    excluded = recently_visited(session, sample.cycle, sample.exclude_recent_cycles)
    chosen = choose_targeted(units, rate=sample.rate, seed=sample.seed, targeted=sample.targeted,
                             ranked=list(sample.targeted_chosen or []),
                             population_size=len(sample.population), excluded_agencies=excluded)[1]
    return Rederivation(chosen=chosen, matches=chosen == sorted(sample.chosen))


def chosen_returns(session: Session, sample: ModerationSample) -> list[ChosenReturn]:
    """The chosen returns with agency and sector names, by sector then agency."""
    rows = session.execute(
        select(Return.id, Agency.name, Sector.name)
        .join(Agency, Agency.id == Return.agency_id).join(Sector, Sector.id == Agency.sector_id)
        .where(Return.id.in_(list(sample.chosen))).order_by(Sector.name, Agency.name)
    )
    targeted = set(sample.targeted_chosen or [])
    return [ChosenReturn(return_id, agency, sector,
                         GAPS_REASON if return_id in targeted else "at random")
            for return_id, agency, sector in rows]
