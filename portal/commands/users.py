"""flask users create, flask users reactivate, flask users operator."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import NOW_OPTION, link_settings, parse_now, transaction
from portal.commands.partnerships import PARTNERSHIP_OPTION, command_scope
from portal.models import Role
from portal.services import accounts

group = AppGroup("users", help="People who sign in.")


@group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_name", default=None, help="The agency (agency users only).")
@click.option("--name", default="", help="The person's full name.")
@PARTNERSHIP_OPTION
@NOW_OPTION
def create(email: str, role: str, agency_name: str | None, name: str,
           partnership_slug: str | None, now_text: str | None) -> None:
    """Give a person a role in a partnership: a new account is emailed a set-password link; a
    person with an account already (in another partnership) is added to this one."""
    with transaction() as session:
        scope = command_scope(session, partnership_slug)
        user = accounts.create_user(session, email=email, role=role, name=name,
                                    agency_name=agency_name, links=link_settings(),
                                    now=parse_now(now_text), scope=scope)
        email, linked = user.email, user.password_hash is None
    click.echo(f"Created {role} user {email} in {scope.slug}; a set-password link is in the outbox"
               if linked else f"Added {email} to {scope.slug} as {role}; they sign in as before")


@group.command("reactivate")
@click.option("--email", required=True)
@NOW_OPTION
def reactivate(email: str, now_text: str | None) -> None:
    """Let a deactivated account sign in again (for example a manager whose account retention
    disabled after two years unused, when no other manager can)."""
    with transaction() as session:
        user = accounts.find_user(session, email)
        if user is None:
            raise click.ClickException(f"No user has the email {email}")
        accounts.set_active(session, user, True, by_user_id=None, now=parse_now(now_text))
        email = user.email
    click.echo(f"{email} can sign in again; if they have forgotten their password they can "
               "ask for a new link from the sign-in page")


@group.command("operator")
@click.option("--email", required=True)
@click.option("--off", is_flag=True, help="No longer the operator.")
@NOW_OPTION
def operator(email: str, off: bool, now_text: str | None) -> None:
    """Make a person the service's operator (it manages partnerships and their first managers
    and sees no returns), or with --off no longer; their sessions end either way."""
    with transaction() as session:
        user = accounts.find_user(session, email)
        if user is None:
            raise click.ClickException(f"No user has the email {email}")
        accounts.set_operator(session, user, not off, now=parse_now(now_text))
        email = user.email
    click.echo(f"{email} is {'no longer' if off else 'now'} the operator")
