"""Every route declares who may use it; agency users cannot reach manager pages or other agencies."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.access import access_of
from portal.models import Role
from tests.support import csrf_from, factories, page, page_text, sign_in, url_for

# Flask's own static route is disabled (static_folder=None); nothing else may be undeclared.
UNDECLARED_ALLOWED: set[str] = set()


def test_every_endpoint_is_public_by_intent_or_protected(app: Flask) -> None:
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if access_of(app.view_functions[rule.endpoint]) is None
        and rule.endpoint not in UNDECLARED_ALLOWED
    ]
    assert undeclared == [], f"endpoints with no @public or @roles: {undeclared}"


def test_public_endpoints_are_only_the_sign_in_journey_assets_the_survey_and_legal_pages(
        app: Flask) -> None:
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if access_of(app.view_functions[rule.endpoint]) == "public"}
    # the practitioner survey is public by intent: its unguessable link (or the short code
    # printed on the poster) is the key; the accessibility statement, privacy notice and
    # cookies page must be readable before signing in
    assert public <= {"assets", "healthz", "healthz_outbox", "auth.index", "auth.sign_in",
                      "auth.sign_out", "auth.set_password", "auth.forgot_password",
                      "survey.form", "survey.answer", "survey.thanks", "survey.short",
                      "site.accessibility", "site.privacy", "site.cookies",
                      # single sign-on: choosing the provider, its redirect and callback, and
                      # the signed-out page that offers the provider's sign-out
                      "sso.start", "sso.login", "sso.callback", "sso.signed_out",
                      "passkeys.sign_in_options", "passkeys.sign_in",  # signing in with a passkey
                      "metrics"}  # /metrics checks the address or token itself (observability)


def _concrete(rule_text: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule_text)


def _routes_of(app: Flask, allowed_roles_exclude: str) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        access = access_of(app.view_functions[rule.endpoint]) or ""
        if access.startswith("roles:") and allowed_roles_exclude not in access.split(":")[1]:
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            routes.append((method, _concrete(rule.rule)))
    return routes


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    response = client.get(url_for(app, "manager.agencies"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for(app, "auth.sign_in"))


def test_agency_user_gets_403_or_404_on_every_page_not_for_agencies(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    agency = factories.agency(db, "Riverside Youth Club")
    factories.agency(db, "Another Agency")
    user = factories.user(db, Role.AGENCY, agency=agency)
    db.commit()
    sign_in(client, user)
    routes = _routes_of(app, "agency")
    assert any(path.startswith("/manager") for _, path in routes)
    token = csrf_from(client.get(url_for(app, "auth.forgot_password")).get_data(as_text=True))
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code in (403, 404), f"{method} {path} gave {response.status_code}"


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.MODERATOR])
def test_non_managers_cannot_use_manager_only_pages(
    app: Flask, client: FlaskClient, db: Session, role: Role
) -> None:
    user = factories.user(db, role)
    db.commit()
    sign_in(client, user)
    token = csrf_from(client.get(url_for(app, "auth.forgot_password")).get_data(as_text=True))
    for method, path in _routes_of(app, "manager"):
        if "manager" in path:
            response = client.open(path, method=method, data={"csrf_token": token})
            assert response.status_code in (403, 404), f"{method} {path}"


def test_agency_user_cannot_open_another_agencys_register_entry(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    mine = factories.agency(db, "Mine")
    theirs = factories.agency(db, "Theirs")
    user = factories.user(db, Role.AGENCY, agency=mine)
    db.commit()
    sign_in(client, user)
    assert client.get(url_for(app, "manager.agency_detail", agency_id=theirs.id)).status_code == 403
    assert client.get(url_for(app, "manager.agency_edit", agency_id=theirs.id)).status_code == 403


def test_forbidden_page_uses_the_service_layout(app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, user)
    response = client.get(url_for(app, "manager.agencies"))
    assert response.status_code == 403
    assert "You cannot see this page" in page_text(response)
    assert page(response).select_one(".govuk-generic-header") is not None


def test_unknown_page_is_a_styled_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


def test_security_headers_are_set(app: Flask, client: FlaskClient) -> None:
    response = client.get(url_for(app, "auth.sign_in"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
