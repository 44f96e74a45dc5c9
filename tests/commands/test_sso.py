"""`flask sso add / list / remove`: the identity providers, audited, the secret never echoed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, IdentityProvider
from tests.support import factories

ADD = ["sso", "add", "--slug", "northtown", "--name", "Northtown Council",
       "--issuer", "https://login.microsoftonline.com/tenant-id/v2.0", "--client-id", "app-id",
       "--domain", "northtown.example", "--domain", "Schools.Northtown.Example"]


def test_add_takes_the_secret_from_the_environment_and_is_audited(app: Flask, db: Session) -> None:
    factories.agency(db, "Northtown Council")
    db.commit()
    result = app.test_cli_runner().invoke(
        args=[*ADD, "--organisation", "Northtown Council"],
        env={"SSO_CLIENT_SECRET": "from-the-environment"})
    assert result.exit_code == 0, result.output
    assert "/sso/northtown/callback" in result.output
    provider = db.scalar(select(IdentityProvider))
    assert provider is not None and provider.client_secret == "from-the-environment"
    assert provider.domain_names == ["northtown.example", "schools.northtown.example"]
    assert provider.agency is not None and provider.agency.name == "Northtown Council"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "sso.provider_added"))
    assert event is not None and "from-the-environment" not in str(event.detail)


def test_list_shows_the_providers_without_secrets_and_remove_removes(app: Flask, db: Session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=[*ADD, "--client-secret", "s3cret-value"]).exit_code == 0
    listed = runner.invoke(args=["sso", "list"])
    assert listed.output.split("\t") == [
        "northtown", "Northtown Council", "https://login.microsoftonline.com/tenant-id/v2.0",
        "northtown.example, schools.northtown.example", "partnership-wide\n"]
    assert "s3cret-value" not in listed.output
    assert runner.invoke(args=["sso", "remove", "--slug", "northtown"]).exit_code == 0
    assert runner.invoke(args=["sso", "list"]).output == "No identity providers\n"
    assert db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == ["sso.provider_added",
                                                           "sso.provider_removed"]


def test_add_refuses_a_taken_domain_an_unknown_organisation_and_a_missing_secret(
        app: Flask, db: Session) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=[*ADD, "--client-secret", "x"]).exit_code == 0
    again = runner.invoke(args=["sso", "add", "--slug", "other", "--name", "Other", "--issuer",
                                "https://other.example", "--client-id", "c", "--client-secret",
                                "x", "--domain", "northtown.example", "--organisation", "Nowhere"])
    assert again.exit_code == 1
    assert "Another provider already serves northtown.example" in again.output
    assert "There is no organisation called Nowhere" in again.output
    missing = runner.invoke(args=ADD, env={"SSO_CLIENT_SECRET": ""})
    assert missing.exit_code == 2 and "--client-secret" in missing.output
    assert len(db.scalars(select(IdentityProvider)).all()) == 1
