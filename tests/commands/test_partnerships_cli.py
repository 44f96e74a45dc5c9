"""flask partnerships list and create: the partnerships the service hosts, with their cycles and
returns; flask users create --partnership: a person's role in one of them."""

from __future__ import annotations

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db import set_scope
from portal.models import FIRST_PARTNERSHIP_ID, OutboxMessage, Partnership, PartnershipMember, User
from portal.services import partnerships
from tests.support import factories
from tests.support.returns_helpers import issue


def test_the_list_shows_the_installations_partnership_and_counts_its_data(
        app: Flask, db: Session) -> None:
    factories.tool(db)
    for name in ("Riverside Primary", "Hillside GP Practice", "Northgate Scouts"):
        factories.agency(db, name)
    issue(db)
    db.commit()
    result = app.test_cli_runner().invoke(args=["partnerships", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "anyshire\tAnyshire Safeguarding Children Partnership\t"
        "safeguarding.partnership@example.org\t1 cycles\t3 returns"]


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_create_makes_a_partnership_that_list_shows(app: Flask, db: Session) -> None:
    made = _run(app, "partnerships", "create", "--slug", "north-shire-2", "--name",
                "Northshire Safeguarding Partnership", "--help-email", "Help@Northshire.example")
    assert made.exit_code == 0, made.output
    assert "flask users create --role manager --partnership north-shire-2" in made.output
    listed = _run(app, "partnerships", "list").output.splitlines()
    assert ("north-shire-2\tNorthshire Safeguarding Partnership\thelp@northshire.example\t"
            "0 cycles\t0 returns") in listed
    assert len(listed) == 2


@pytest.mark.parametrize(("slug", "why"), [
    ("North", "must be lower case letters, digits and single hyphens"),
    ("north_shire", "must be lower case letters, digits and single hyphens"),
    ("-north", "must be lower case letters, digits and single hyphens"),
    ("north--shire", "must be lower case letters, digits and single hyphens"),
    ("n" * 41, "at most 40 characters"),
    ("anyshire", "There is already a partnership with the slug 'anyshire'"),
    ("sign-in", "the name of one of the service's own pages"),
])
def test_create_refuses_a_slug_that_is_not_one_or_is_taken(
        app: Flask, db: Session, slug: str, why: str) -> None:
    refused = _run(app, "partnerships", "create", "--slug", slug, "--name", "North",
                   "--help-email", "help@north.example")
    assert refused.exit_code == 1 and why in refused.output, refused.output
    assert db.scalar(select(func.count()).select_from(Partnership)) == 1


def test_create_refuses_a_help_address_that_is_not_one(app: Flask, db: Session) -> None:
    refused = _run(app, "partnerships", "create", "--slug", "north", "--name", "North",
                   "--help-email", "not an address")
    assert refused.exit_code == 1 and "Enter the help address" in refused.output


def test_the_slugs_reserved_are_the_services_own_top_level_pages(app: Flask) -> None:
    """A partnership's pages will live under /<slug>: no slug may be a page at the root."""
    firsts = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    assert firsts - {""} <= partnerships.RESERVED


def test_users_create_gives_a_role_in_the_partnership_named(app: Flask, db: Session) -> None:
    _run(app, "partnerships", "create", "--slug", "westshire", "--name", "Westshire",
         "--help-email", "help@west.example")
    alone = _run(app, "users", "create", "--email", "kim@example.org", "--role", "manager")
    assert alone.exit_code == 1 and "say which one with --partnership" in alone.output
    made = _run(app, "users", "create", "--email", "kim@example.org", "--role", "manager",
                "--partnership", "westshire")
    assert made.exit_code == 0, made.output
    assert "Created manager user kim@example.org in westshire" in made.output
    added = _run(app, "users", "create", "--email", "kim@example.org", "--role", "moderator",
                 "--partnership", "anyshire")
    assert added.exit_code == 0, added.output
    unknown = _run(app, "users", "create", "--email", "lee@example.org", "--role", "manager",
                   "--partnership", "eastshire")
    assert unknown.exit_code == 1 and "no partnership called 'eastshire'" in unknown.output
    roles = db.execute(select(Partnership.slug, PartnershipMember.role)
                       .join(Partnership, Partnership.id == PartnershipMember.partnership_id)
                       .order_by(Partnership.slug)).all()
    assert [tuple(r) for r in roles] == [("anyshire", "moderator"), ("westshire", "manager")]
    assert db.scalar(select(func.count()).select_from(User)) == 1
    # a link each time, in each partnership's outbox: Kim had not set a password yet when added
    # to the second
    for slug in ("anyshire", "westshire"):
        partnership_id = partnerships.scope_of(db, slug).id
        set_scope(db, partnership_id)  # on PostgreSQL its rows only (row-level security)
        assert db.scalar(select(func.count()).select_from(OutboxMessage)
                         .where(OutboxMessage.partnership_id == partnership_id)) == 1


def test_users_create_works_in_the_only_partnership_by_default(app: Flask, db: Session) -> None:
    made = _run(app, "users", "create", "--email", "ann@example.org", "--role", "committee")
    assert made.exit_code == 0, made.output
    member = db.scalar(select(PartnershipMember))
    assert member is not None and (member.partnership_id, member.role) == (
        FIRST_PARTNERSHIP_ID, "committee")
