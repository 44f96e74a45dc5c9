"""Public interface of this capability: import from here, never from its _private modules.

Single sign-on with OpenID Connect: the providers the portal trusts (`flask sso`), the one for an
email address, and who a provider's sign-in is (linked by verified email, then by subject). The
protocol itself (state, nonce, PKCE, the ID token's signature) is Authlib's, in the web layer."""

from __future__ import annotations

from ._amr import amr_methods, shows_multi_factor
from ._linking import SignInRefused, SsoSignIn, sign_in_with
from ._providers import (
    add_provider,
    discovery_url,
    email_domain,
    get_provider,
    list_providers,
    provider_for_email,
    remove_provider,
)

__all__ = [
    "SignInRefused",
    "SsoSignIn",
    "add_provider",
    "amr_methods",
    "discovery_url",
    "email_domain",
    "get_provider",
    "list_providers",
    "provider_for_email",
    "remove_provider",
    "shows_multi_factor",
    "sign_in_with",
]
