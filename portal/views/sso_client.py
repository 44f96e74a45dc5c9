"""Authlib's OpenID Connect client for each configured provider. Imported by the sso views on
first use, not at start: Authlib and requests take about a fifth of a second to import, which
the app's commands and workers need not pay."""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from requests import RequestException

from portal.models import IdentityProvider
from portal.services import sso

# What a provider that cannot be reached, or answers wrongly, raises.
PROVIDER_ERRORS = (AuthlibBaseError, RequestException, ValueError, KeyError, RuntimeError)
_clients: dict[tuple[str, str, str, str], FlaskOAuth2App] = {}


def client_for(provider: IdentityProvider) -> FlaskOAuth2App:
    """Authlib's client for a provider; kept (with the provider's metadata and keys it loads)
    until the provider's settings change."""
    key = (provider.slug, provider.issuer, provider.client_id, provider.client_secret)
    if key not in _clients:
        _clients[key] = FlaskOAuth2App(
            FlaskIntegration(provider.slug), provider.slug, client_id=provider.client_id,
            client_secret=provider.client_secret, server_metadata_url=sso.discovery_url(provider),
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                           "default_timeout": 15})
    return _clients[key]
