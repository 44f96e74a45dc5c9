"""flask demo load."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.commands.common import (
    NOW_OPTION,
    link_settings,
    parse_now,
    survey_settings,
    transaction,
)
from portal.services.accounts import grouped
from portal.services.demo import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    generate_partnership,
    load_demo,
)

group = AppGroup("demo", help="Demo data.")


@group.command("load")
@NOW_OPTION
def load(now_text: str | None) -> None:
    """Load a realistic demo partnership into an empty database, its story told at --now
    (default: now). Its accounts share the published demo password, except in production,
    where they get no password at all."""
    production = current_app.config["ENV"] == "production"
    with transaction() as session:
        summary = load_demo(session, now=parse_now(now_text), with_password=not production,
                            links=link_settings(), survey_min=survey_settings().min_responses)
    click.echo(f"Demo loaded: {summary.agencies} agencies, {summary.users} users, "
               f"{summary.cycles} cycles, {summary.returns} returns.")
    if production:
        click.echo("Production: the demo accounts have no password (the published demo "
                   "password is refused here); send one a set-password link to sign in.")
        return
    click.echo(f"Sign in as manager@{DEMO_DOMAIN}, mesc@{DEMO_DOMAIN}, member1@{DEMO_DOMAIN}, "
               f"agency@{DEMO_DOMAIN} or voluntary@{DEMO_DOMAIN} with the password "
               f"{DEMO_PASSWORD}")
    click.echo("The manager, committee and moderator accounts then ask for a code from an "
               "authenticator app: add the demo key to your app (a time-based key) "
               f"{grouped(DEMO_TOTP_KEY)}, or compute a code with "
               f"`python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_KEY}').now())\"`")


@group.command("generate")
@click.option("--agencies", type=click.IntRange(min=2), required=True, help="How many agencies.")
@click.option("--cycles", type=click.IntRange(min=1, max=40), default=6, show_default=True,
              help="How many closed cycles, in alternating cohorts.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@NOW_OPTION
def generate(agencies: int, cycles: int, seed: int, now_text: str | None) -> None:
    """A synthetic partnership at scale, for benchmarks: agencies, closed cycles, returns."""
    with transaction() as session:
        made = generate_partnership(session, agencies=agencies, cycles=cycles, seed=seed,
                                    now=parse_now(now_text))
    for cycle in made:
        click.echo(f"cycle {cycle.label}")
    answers = sum(c.answers for c in made)
    click.echo(f"Generated {agencies} agencies, {len(made)} cycles, "
               f"{sum(c.issued for c in made)} returns issued, "
               f"{sum(c.submitted for c in made)} submitted, {answers} answers.", err=True)
