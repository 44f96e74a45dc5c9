"""Single sign-on through a REAL OpenID Connect provider (oidc-provider, run locally): the code
flow with state, nonce and PKCE, linking, the amr rule, the error pages and sign-out."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, LinkedIdentity, Role, User
from tests.support import factories, free_port, page, submit_form, url_for, visible_text
from tests.support.oidc_provider import (
    MANAGER,
    MANAGER_UPPER,
    MFA_CLAIM,
    SLUG,
    STAFF,
    STRANGER,
    UNVERIFIED,
    LocalProvider,
    add_local_provider,
    oidc_provider_fixture,  # noqa: F401 (the fixture oidc_provider)
    sign_in_at_provider,
    sso_sign_in,
)


def second_factor(client: FlaskClient) -> str | None:
    with client.session_transaction() as session:
        return session.get("second_factor")


def signed_in_home(app: Flask, client: FlaskClient) -> str:
    return str(client.get(url_for(app, "auth.index")).headers.get("Location", ""))


def problem(response: object) -> tuple[str, str]:
    soup = page(response)
    return visible_text(soup.select_one("h1")), visible_text(soup.select_one("[data-sso-problem]"))


def test_a_manager_signs_in_through_the_provider_and_lands_on_their_home(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    manager = factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    response = sso_sign_in(client, MANAGER)
    assert response.status_code == 302
    assert response.headers["Location"] == url_for(app, "auth.index")
    assert signed_in_home(app, client) == url_for(app, "manager.home")
    assert client.get(url_for(app, "manager.home")).status_code == 200
    assert second_factor(client) == "sso"  # the provider's amr was pwd + otp
    link = db.scalar(select(LinkedIdentity))
    assert link is not None and (link.subject, link.user_id) == (MANAGER, manager.id)


def test_a_single_factor_amr_leaves_the_portals_second_factor_to_ask(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    agency = factories.agency(db)
    factories.user(db, Role.AGENCY, agency=agency, email="staff@council.example")
    add_local_provider(db, oidc_provider)
    assert sso_sign_in(client, STAFF).status_code == 302
    assert signed_in_home(app, client) == url_for(app, "agency.home")
    assert second_factor(client) is None


def test_an_amr_of_mfa_counts_as_the_second_factor(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.COMMITTEE, email="staff@council.example")
    add_local_provider(db, oidc_provider)
    assert sso_sign_in(client, MFA_CLAIM).status_code == 302
    assert second_factor(client) == "sso"


def test_the_address_matches_whatever_its_case_and_later_sign_ins_go_by_subject(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    manager = factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    assert sso_sign_in(client, MANAGER_UPPER).status_code == 302  # Manager@Council.Example
    manager.email = "renamed@elsewhere.example"
    db.commit()
    other = app.test_client()
    assert sso_sign_in(other, MANAGER_UPPER).status_code == 302
    assert signed_in_home(app, other) == url_for(app, "manager.home")


def test_an_unverified_address_is_refused_on_a_page_and_not_signed_in(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="staff@council.example")
    add_local_provider(db, oidc_provider)
    response = sso_sign_in(client, UNVERIFIED)
    assert response.status_code == 403
    title, message = problem(response)
    assert title == "You cannot sign in with Council Example"
    assert "has not verified your email address (staff@council.example)" in message
    assert signed_in_home(app, client) == url_for(app, "auth.sign_in")
    assert db.scalar(select(LinkedIdentity)) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "sso.refused"))
    assert event is not None and event.detail["reason"] == "unverified"


def test_someone_without_an_account_is_told_to_ask_for_one(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    add_local_provider(db, oidc_provider)
    response = sso_sign_in(client, STRANGER)
    assert response.status_code == 403
    assert problem(response)[1].startswith("There is no account in the portal for "
                                           "nobody@council.example")


def test_a_deactivated_account_is_refused(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    manager = factories.user(db, Role.MANAGER, email="manager@council.example")
    manager.active = False
    add_local_provider(db, oidc_provider)
    response = sso_sign_in(client, MANAGER)
    assert response.status_code == 403
    assert "deactivated" in problem(response)[1]


def test_the_request_carries_state_nonce_and_pkce_and_a_forged_state_is_refused(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    started = client.get(f"/sso/{SLUG}/login")
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid email profile"]
    callback = urlsplit(sign_in_at_provider(started.headers["Location"], MANAGER))
    forged = parse_qs(callback.query)
    forged_query = f"code={forged['code'][0]}&state=forged-state"
    response = client.get(f"{callback.path}?{forged_query}")
    assert response.status_code == 400
    assert problem(response)[0] == "Signing in with Council Example did not work"
    assert signed_in_home(app, client) == url_for(app, "auth.sign_in")


def test_a_callback_cannot_be_replayed(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    started = client.get(f"/sso/{SLUG}/login")
    callback = urlsplit(sign_in_at_provider(started.headers["Location"], MANAGER))
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    assert client.get(f"{callback.path}?{callback.query}").status_code == 400


def test_a_cancelled_sign_in_and_an_unknown_provider_are_pages_not_errors(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    add_local_provider(db, oidc_provider)
    client.get(f"/sso/{SLUG}/login")
    cancelled = client.get(f"/sso/{SLUG}/callback?error=access_denied&state=x")
    assert cancelled.status_code == 400
    assert problem(cancelled)[0] == "Signing in with Council Example did not work"
    unknown = client.get("/sso/nowhere/login")
    assert unknown.status_code == 404
    assert visible_text(page(unknown).select_one("h1")) == "Page not found"


def test_a_provider_that_cannot_be_reached_is_a_page_not_a_500(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    add_local_provider(db, oidc_provider, issuer=f"http://127.0.0.1:{free_port()}")
    response = client.get(f"/sso/{SLUG}/login")
    assert response.status_code == 502
    assert problem(response)[0] == "Council Example cannot be reached"


def test_the_sign_in_page_offers_organisation_accounts_only_when_there_are_some(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    def offered() -> list[str]:
        soup = page(client.get(url_for(app, "auth.sign_in")))
        return [str(a["href"]) for a in soup.select("main a")
                if visible_text(a) == "Sign in with your organisation's account"]

    assert offered() == []
    add_local_provider(db, oidc_provider)
    assert offered() == [url_for(app, "sso.start")]


def test_an_address_finds_its_organisations_provider(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    add_local_provider(db, oidc_provider)
    start = url_for(app, "sso.start")
    buttons = page(client.get(start)).select("a.govuk-button")
    assert [(visible_text(b), b["href"]) for b in buttons] == [
        ("Sign in with Council Example", f"/sso/{SLUG}/login")]
    found = submit_form(client, start, {"email": "Pat@Council.Example"})
    assert found.status_code == 200
    button = page(found).select_one("a.govuk-button")
    assert button is not None and visible_text(button) == "Continue to Council Example"
    assert parse_qs(urlsplit(str(button["href"])).query) == {"login_hint": ["Pat@Council.Example"]}
    missing = submit_form(client, start, {"email": "pat@elsewhere.example"})
    assert missing.status_code == 400
    assert "does not sign in to the portal with its own account" in visible_text(
        page(missing).select_one(".govuk-error-summary"))


def test_sign_out_ends_the_session_and_offers_the_providers_sign_out(
        app: Flask, db: Session, client: FlaskClient, oidc_provider: LocalProvider) -> None:
    factories.user(db, Role.MANAGER, email="manager@council.example")
    add_local_provider(db, oidc_provider)
    sso_sign_in(client, MANAGER)
    response = submit_form(client, url_for(app, "auth.sign_out"), {})
    assert response.headers["Location"] == url_for(app, "sso.signed_out")
    assert client.get(url_for(app, "manager.home")).status_code == 302  # signed out
    soup = page(client.get(url_for(app, "sso.signed_out")))
    link = soup.select_one("a.govuk-button")
    assert link is not None and visible_text(link) == "Also sign out of Council Example"
    logout = urlsplit(str(link["href"]))
    metadata = requests.get(f"{oidc_provider.issuer}/.well-known/openid-configuration",
                            timeout=60).json()
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == metadata["end_session_endpoint"]
    assert parse_qs(logout.query)["post_logout_redirect_uri"] == ["http://localhost/sso/signed-out"]
    assert parse_qs(logout.query)["state"] == ["provider-signed-out"]
    ended = requests.get(str(link["href"]), timeout=60)  # the provider accepts it: its confirm page
    assert ended.status_code == 200
    back = page(client.get(url_for(app, "sso.signed_out", state="provider-signed-out")))
    assert back.select_one("a.govuk-button") is None  # signed out of both: nothing more to offer
    assert visible_text(back.select_one("h1")) == "You have been signed out"


def test_a_password_sign_out_does_not_mention_a_provider(
        app: Flask, db: Session, client: FlaskClient) -> None:
    user = factories.user(db, Role.MANAGER)
    db.commit()
    submit_form(client, url_for(app, "auth.sign_in"), {"email": user.email,
                                                         "password": factories.PASSWORD})
    response = submit_form(client, url_for(app, "auth.sign_out"), {})
    assert response.headers["Location"] == url_for(app, "auth.sign_in")
    assert db.scalar(select(User).where(User.id == user.id)) is not None
