"""A real OpenID Connect provider for the SSO tests: `oidc-provider` (npm) run by
tests/support/oidc/provider.mjs on 127.0.0.1, started once a session like PostgreSQL.

Import `oidc_provider_fixture` into a test module to use the `oidc_provider` fixture.
Under CI=true a missing node or oidc-provider fails the tests instead of skipping them."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import IdentityProvider, utcnow
from portal.services import sso
from tests.support import require, wait_until
from tests.support.processes import ROOT

SCRIPT = ROOT / "tests" / "support" / "oidc" / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
SLUG = "council"
CLIENT_ID = "compact-audit-tests"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
DOMAIN = "council.example"
# The provider's test accounts (provider.mjs): account id -> the email its ID token carries.
MANAGER = "manager"  # manager@council.example, verified, amr pwd+otp (multi-factor)
MANAGER_UPPER = "manager-upper"  # Manager@Council.Example, verified, amr pwd only
STAFF = "staff"  # staff@council.example, verified, amr pwd only
MFA_CLAIM = "mfa-claim"  # staff@council.example, verified, amr ["mfa"]
UNVERIFIED = "unverified"  # staff@council.example, email_verified false
STRANGER = "stranger"  # nobody@council.example, verified, no portal account


@dataclass(frozen=True)
class LocalProvider:
    issuer: str


def _started(process: subprocess.Popen[str], errors: Any) -> str:
    line = process.stdout.readline() if process.stdout else ""  # the script's first line
    if not line:
        errors.seek(0)
        raise AssertionError(f"the OpenID Connect provider did not start: {errors.read()}")
    return str(json.loads(line)["issuer"])


def _answers(issuer: str) -> bool:
    try:
        return requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture() -> Iterator[LocalProvider]:
    """The local provider, started once a session (import `oidc_provider_fixture` into a test
    module to use the fixture `oidc_provider`)."""
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require(PACKAGE.exists(), "oidc-provider is not installed (scripts/setup.sh --test)")
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            [str(node), str(SCRIPT), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
             "--slug", SLUG], cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            issuer = _started(process, errors)
            wait_until(lambda: _answers(issuer), "the OpenID Connect provider's discovery")
            yield LocalProvider(issuer=issuer)
        finally:
            process.terminate()
            process.wait(timeout=30)


def add_local_provider(db: Session, provider: LocalProvider, *, organisation: str | None = None,
                       domains: tuple[str, ...] = (DOMAIN,), issuer: str | None = None,
                       ) -> IdentityProvider:
    """The local provider added as `flask sso add` would (committed, for the app to see)."""
    added = sso.add_provider(db, slug=SLUG, name="Council Example", issuer=issuer or provider.issuer,
                             client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                             domains=list(domains), organisation=organisation, now=utcnow())
    db.commit()
    return added


def _portal(location: str) -> bool:
    return urlsplit(location).hostname == "localhost"


def sign_in_at_provider(authorize_url: str, account: str) -> str:
    """Follow the provider from its authorization URL: its login page, choosing `account`, back
    to the portal; the callback URL (with code and state) it sends the browser to."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=True, timeout=15)
    form = BeautifulSoup(response.text, "html.parser").find("form")
    assert form is not None, f"no login form at the provider: {response.text[:300]}"
    location = urljoin(response.url, str(form["action"]))
    response = browser.post(location, data={"account": account}, allow_redirects=False, timeout=15)
    while response.is_redirect:
        location = urljoin(location, response.headers["Location"])
        if _portal(location):
            return location
        response = browser.get(location, allow_redirects=False, timeout=15)
    raise AssertionError(f"the provider did not send the browser back: {response.status_code} "
                         f"{response.text[:300]}")


def sso_sign_in(client: FlaskClient, account: str, *, slug: str = SLUG) -> Any:
    """The whole code flow: the portal's login redirect, the provider, the portal's callback.
    Returns the callback's response (not followed)."""
    started = client.get(f"/sso/{slug}/login")
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    callback = sign_in_at_provider(started.headers["Location"], account)
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")
