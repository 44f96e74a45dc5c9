"""flask moderation sample."""

from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from portal.commands.common import (
    NOW_OPTION,
    link_settings,
    parse_now,
    survey_settings,
    transaction,
)
from portal.services import moderation
from portal.services.cycles import get_cycle

group = AppGroup("moderation", help="Moderation visits: the sample and its visits.")


@group.command("sample")
@click.option("--cycle", "label", required=True, help="The cycle's label, like 2017-18.")
@click.option("--rate", type=float, default=moderation.DEFAULT_RATE, show_default=True,
              help="The share of submitted returns to visit.")
@click.option("--seed", type=int, default=None,
              help="The random seed (one is chosen and printed when absent).")
@click.option("--exclude-recent", "exclude_recent", type=int, default=0, show_default=True,
              help="Leave out agencies visited in this many previous cycles.")
@click.option("--reason", default=None, help="Why the sample is redrawn (needed to redraw).")
@click.option("--targeted", type=float, default=0.0, show_default=True,
              help="The share of the sample given to the agencies with the most practitioner-"
                   "survey corroboration gaps (e.g. 0.5); the rest is drawn at random.")
@NOW_OPTION
def sample_command(label: str, rate: float, seed: int | None, exclude_recent: int,
                   reason: str | None, targeted: float, now_text: str | None) -> None:
    """Draw and store the moderation sample, plan its visits and print the chosen agencies."""
    if seed is None:
        seed = secrets.randbelow(moderation.MAX_SEED)
    now = parse_now(now_text)
    with transaction() as session:
        cycle = get_cycle(session, label)
        sample = moderation.draw_sample(
            session, cycle=cycle, rate=rate, seed=seed, now=now, user_id=None,
            exclude_recent_cycles=exclude_recent, reason=reason, links=link_settings(),
            targeted=targeted, survey_settings=survey_settings(),
        )
        managers = moderation.managers(session, partnership_id=cycle.partnership_id)
        moderation.plan_visits(session, sample=sample, manager_id=managers[0].id if managers else None,
                           now=now)
        chosen = moderation.chosen_returns(session, sample)
        population = len(sample.population)
    targeting = f", targeted {targeted:g}" if targeted else ""
    click.echo(f"Cycle {label}: {len(chosen)} of {population} submitted returns "
               f"(rate {rate:g}, seed {seed}{targeting})")
    for row in chosen:  # a targeted sample says how each agency was chosen
        click.echo(f"{row.agency}\t{row.sector}" + (f"\t{row.how}" if targeted else ""))
