"""The identity providers the portal trusts: added, listed and removed by `flask sso`, and the
one that serves an email address's domain."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, IdentityProvider, IdentityProviderDomain
from portal.services import audit
from portal.services.common import Invalid, NotFound, Problem

DISCOVERY_PATH = "/.well-known/openid-configuration"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def discovery_url(provider: IdentityProvider) -> str:
    """Where the provider's OpenID Connect metadata is: the issuer's well-known document, or the
    discovery URL itself when that was given."""
    issuer = provider.issuer.rstrip("/")
    return issuer if issuer.endswith(DISCOVERY_PATH) else issuer + DISCOVERY_PATH


def list_providers(session: Session) -> list[IdentityProvider]:
    return list(session.scalars(
        select(IdentityProvider)
        .options(selectinload(IdentityProvider.domains), selectinload(IdentityProvider.agency))
        .order_by(IdentityProvider.name)))


def get_provider(session: Session, slug: str) -> IdentityProvider:
    provider = session.scalar(select(IdentityProvider).where(IdentityProvider.slug == slug))
    if provider is None:
        raise NotFound("There is no such identity provider")
    return provider


def email_domain(email: str) -> str:
    return email.strip().rpartition("@")[2].lower()


def provider_for_email(session: Session, email: str) -> IdentityProvider | None:
    """The provider that serves the address's domain (each domain has at most one)."""
    domain = email_domain(email)
    if not domain:
        return None
    return session.scalar(
        select(IdentityProvider).join(IdentityProviderDomain)
        .where(IdentityProviderDomain.domain == domain))


def _problems(session: Session, slug: str, issuer: str, domains: list[str]) -> list[Problem]:
    problems = []
    if not SLUG.match(slug):
        problems.append(Problem("slug", "The slug must be lower-case letters, digits and hyphens"))
    elif session.scalar(select(IdentityProvider.id).where(IdentityProvider.slug == slug)):
        problems.append(Problem("slug", f"There is already a provider called {slug}"))
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        problems.append(Problem("issuer", "The issuer must be a URL like https://login.example.com"))
    for domain in domains:
        if not DOMAIN.match(domain):
            problems.append(Problem("domain", f"{domain} is not an email domain"))
        elif session.scalar(select(IdentityProviderDomain.id)
                            .where(IdentityProviderDomain.domain == domain)):
            problems.append(Problem("domain", f"Another provider already serves {domain}"))
    return problems


def _agency(session: Session, organisation: str | None) -> Agency | None:
    if not organisation:
        return None
    return session.scalar(
        select(Agency).where(func.lower(Agency.name) == organisation.strip().lower()))


def add_provider(session: Session, *, slug: str, name: str, issuer: str, client_id: str,
                 client_secret: str, domains: list[str], organisation: str | None,
                 now: datetime) -> IdentityProvider:
    """Trust a provider to sign people in; audited (never with its secret)."""
    clean = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    problems = _problems(session, slug, issuer.strip(), clean)
    agency = _agency(session, organisation)
    if organisation and agency is None:
        problems.append(Problem("organisation", f"There is no organisation called {organisation}"))
    if not name.strip() or not client_id.strip() or not client_secret:
        problems.append(Problem(None, "A provider needs a name, a client id and a client secret"))
    if problems:
        raise Invalid(problems)
    provider = IdentityProvider(
        slug=slug, name=name.strip(), issuer=issuer.strip(), client_id=client_id.strip(),
        client_secret=client_secret, agency=agency, created_at=now,
        domains=[IdentityProviderDomain(domain=d) for d in clean])
    session.add(provider)
    session.flush()
    audit.record(session, action="sso.provider_added", entity_type="identity_provider",
                 entity_id=provider.id, slug=slug, issuer=provider.issuer, client_id=client_id,
                 domains=clean, organisation=provider.agency.name if provider.agency else None)
    return provider


def remove_provider(session: Session, slug: str) -> None:
    """Stop trusting a provider: its domains and linked identities go with it; audited."""
    provider = get_provider(session, slug)
    audit.record(session, action="sso.provider_removed", entity_type="identity_provider",
                 entity_id=provider.id, slug=slug, issuer=provider.issuer)
    session.delete(provider)
    session.flush()
