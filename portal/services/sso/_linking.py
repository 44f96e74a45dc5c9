"""Who an identity provider's sign-in is: the account linked to its subject, else (the first
time) the active account with its verified email address, which is then linked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import IdentityProvider, LinkedIdentity, User
from portal.services import accounts, audit
from portal.services.common import Refused

from ._amr import amr_methods, shows_multi_factor
from ._providers import email_domain


class SignInRefused(Refused):
    """The provider's sign-in cannot become a portal session; the message says why and what to
    do, and `reason` names the rule for the audit log."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class SsoSignIn:
    user: User
    multi_factor: bool  # the provider's amr shows a second factor was passed


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _check_account(provider: IdentityProvider, user: User | None, email: str) -> User:
    if user is None:
        raise SignInRefused("no_account", f"There is no account in the portal for {email}. "
                                          "Ask your partnership's manager to add you.")
    if not user.active:
        raise SignInRefused("inactive", "Your account in the portal has been deactivated. "
                                        "Ask your partnership's manager to reactivate it.")
    if provider.agency_id is not None and user.agency_id != provider.agency_id:
        raise SignInRefused("other_organisation",
                            f"{provider.name} signs in only its own organisation's staff. "
                            "Sign in with your email address and password instead.")
    return user


def _by_email(session: Session, provider: IdentityProvider, claims: dict[str, Any],
              subject: str, now: datetime) -> LinkedIdentity:
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefused("no_email", f"{provider.name} did not tell the portal your email "
                                        "address, so your account cannot be found.")
    if not _verified(claims):
        raise SignInRefused("unverified", f"{provider.name} has not verified your email address "
                                          f"({email}), so the portal cannot link your account.")
    if email_domain(email) not in provider.domain_names:
        raise SignInRefused("other_domain", f"{provider.name} does not sign in addresses like "
                                            f"{email}. Sign in with your password instead.")
    user = _check_account(provider, accounts.find_user(session, email), email)
    if session.scalar(select(LinkedIdentity.id).where(LinkedIdentity.provider_id == provider.id,
                                                      LinkedIdentity.user_id == user.id)):
        raise SignInRefused("linked_elsewhere", f"Your portal account is already linked to "
                                                f"another {provider.name} account.")
    link = LinkedIdentity(provider=provider, subject=subject, user=user, linked_at=now,
                          last_used_at=now)
    session.add(link)
    session.flush()
    audit.record(session, action="sso.linked", entity_type="user", entity_id=user.id,
                 user_id=user.id, provider=provider.slug, subject=subject)
    return link


def _refused(session: Session, provider: IdentityProvider, exc: SignInRefused, subject: str,
             ip_address: str | None) -> None:
    audit.record(session, action="sso.refused", entity_type="identity_provider",
                 entity_id=provider.id, ip_address=ip_address, reason=exc.reason,
                 subject=subject)


def _identity(session: Session, provider: IdentityProvider, claims: dict[str, Any],
              subject: str, now: datetime) -> LinkedIdentity:
    link = session.scalar(select(LinkedIdentity).where(
        LinkedIdentity.provider_id == provider.id, LinkedIdentity.subject == subject))
    if link is None:
        return _by_email(session, provider, claims, subject, now)
    _check_account(provider, link.user, link.user.email)
    return link


def sign_in_with(session: Session, provider: IdentityProvider, claims: dict[str, Any], *,
                 now: datetime, ip_address: str | None = None) -> SsoSignIn:
    """The account a provider's verified ID token claims sign in, linking it the first time;
    `SignInRefused` (audited) when it cannot."""
    subject = str(claims.get("sub") or "")
    try:
        if not subject:
            raise SignInRefused("no_subject", f"{provider.name} did not say who you are.")
        link = _identity(session, provider, claims, subject, now)
    except SignInRefused as exc:
        _refused(session, provider, exc, subject, ip_address)
        raise
    link.last_used_at = now
    link.user.last_sign_in_at = now  # the retention rules count it as use
    multi_factor = shows_multi_factor(claims.get("amr"))
    audit.record(session, action="sso.signed_in", entity_type="user", entity_id=link.user_id,
                 user_id=link.user_id, ip_address=ip_address, provider=provider.slug,
                 amr=amr_methods(claims.get("amr")), multi_factor=multi_factor)
    return SsoSignIn(user=link.user, multi_factor=multi_factor)
