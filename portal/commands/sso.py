"""flask sso add / list / remove: the OpenID Connect providers people may sign in with."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.commands.common import parse_now, transaction
from portal.services import sso

group = AppGroup("sso", help="Single sign-on: the identity providers people may sign in with.")
ENVIRONMENT_VARIABLE = "SSO_CLIENT_SECRET"  # where --client-secret may come from instead


@group.command("add")
@click.option("--slug", required=True, help="A short name for URLs, like contoso (/sso/contoso/...).")
@click.option("--name", required=True, help="The name people see, like 'Contoso Council'.")
@click.option("--issuer", required=True,
              help="The issuer URL (or its /.well-known/openid-configuration URL).")
@click.option("--client-id", required=True, help="The portal's client (application) id.")
@click.option("--client-secret", required=True, envvar=ENVIRONMENT_VARIABLE, show_envvar=True,
              help=f"The client secret; or set {ENVIRONMENT_VARIABLE} to keep it out of shell history.")
@click.option("--domain", "domains", multiple=True,
              help="An email domain the provider serves (repeat for each).")
@click.option("--organisation", default=None,
              help="The agency it belongs to; none for a partnership-wide provider.")
def add(slug: str, name: str, issuer: str, client_id: str, client_secret: str,
        domains: tuple[str, ...], organisation: str | None) -> None:
    """Trust an identity provider to sign people in (audited)."""
    with transaction() as session:
        provider = sso.add_provider(session, slug=slug, name=name, issuer=issuer,
                                    client_id=client_id, client_secret=client_secret,
                                    domains=list(domains), organisation=organisation,
                                    now=parse_now(None))
        served = ", ".join(provider.domain_names) or "no email domains"
    click.echo(f"Added {name} ({slug}) for {served}. Its redirect URI is "
               f"<portal address>/sso/{slug}/callback")


@group.command("list")
def list_() -> None:
    """The providers, their issuers and the domains they serve (never their secrets)."""
    with transaction() as session:
        providers = sso.list_providers(session)
        lines = [f"{p.slug}\t{p.name}\t{p.issuer}\t{', '.join(p.domain_names) or '-'}\t"
                 f"{p.agency.name if p.agency else 'partnership-wide'}" for p in providers]
    for line in lines or ["No identity providers"]:
        click.echo(line)


@group.command("remove")
@click.option("--slug", required=True)
def remove(slug: str) -> None:
    """Stop trusting a provider; its linked identities are removed with it (audited)."""
    with transaction() as session:
        sso.remove_provider(session, slug)
    click.echo(f"Removed {slug}")
