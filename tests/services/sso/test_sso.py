"""The sso service: which provider serves an address, how a provider's sign-in finds (and links)
an account, and the amr rule. Claims here are what Authlib hands over after verifying an ID
token; the whole protocol against a real provider is in tests/web/auth/test_sso_flow.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, IdentityProvider, LinkedIdentity, Role
from portal.services import sso
from portal.services.common import Invalid, NotFound
from portal.services.retention import erase_person, export_person
from tests.support import factories

NOW = datetime(2026, 11, 2, 9, 30)


def provider(db: Session, slug: str = "council", domains: tuple[str, ...] = ("council.example",),
             organisation: str | None = None) -> IdentityProvider:
    return sso.add_provider(db, slug=slug, name=f"{slug.title()} IdP",
                            issuer=f"https://login.{slug}.example/v2.0", client_id="client",
                            client_secret="secret", domains=list(domains),
                            organisation=organisation, now=NOW)


def claims(sub: str = "subject-1", email: str = "pat@council.example", verified: Any = True,
           amr: Any = None) -> dict[str, Any]:
    made: dict[str, Any] = {"sub": sub, "email": email, "email_verified": verified}
    if amr is not None:
        made["amr"] = amr
    return made


def refusal(db: Session, idp: IdentityProvider, given: dict[str, Any]) -> str:
    with pytest.raises(sso.SignInRefused) as caught:
        sso.sign_in_with(db, idp, given, now=NOW)
    return caught.value.reason


def test_the_provider_for_an_address_is_the_one_serving_its_domain_whatever_its_case(
        db: Session) -> None:
    council = provider(db, domains=("council.example", "schools.council.example"))
    provider(db, slug="nhs", domains=("nhs.example",))
    assert sso.provider_for_email(db, "Pat@COUNCIL.example") == council
    assert sso.provider_for_email(db, "pat@schools.council.example") == council
    assert sso.provider_for_email(db, "pat@sub.council.example") is None  # exact domains only
    assert sso.provider_for_email(db, "pat@elsewhere.example") is None
    assert sso.provider_for_email(db, "not an address") is None


def test_a_domain_belongs_to_one_provider_and_slugs_are_unique_and_plain(db: Session) -> None:
    provider(db)
    with pytest.raises(Invalid) as caught:
        provider(db, slug="other", domains=("COUNCIL.example",))
    assert [p.field for p in caught.value.problems] == ["domain"]
    with pytest.raises(Invalid) as caught:
        provider(db, slug="council", domains=("new.example",))
    assert [p.field for p in caught.value.problems] == ["slug"]
    with pytest.raises(Invalid) as caught:
        provider(db, slug="Bad Slug!", domains=("not a domain",))
    assert [p.field for p in caught.value.problems] == ["slug", "domain"]


def test_an_organisations_provider_names_an_existing_agency(db: Session) -> None:
    agency = factories.agency(db, "Northtown Council")
    assert provider(db, organisation="northtown council").agency == agency
    with pytest.raises(Invalid) as caught:
        provider(db, slug="x", domains=("x.example",), organisation="Nowhere")
    assert [p.field for p in caught.value.problems] == ["organisation"]


def test_adding_and_removing_are_audited_without_the_secret(db: Session) -> None:
    idp = provider(db)
    sso.remove_provider(db, "council")
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["sso.provider_added", "sso.provider_removed"]
    assert events[0].entity_id == idp.id and events[0].detail["domains"] == ["council.example"]
    assert "secret" not in str(events[0].detail)
    with pytest.raises(NotFound):
        sso.get_provider(db, "council")


def test_the_first_sign_in_links_by_verified_email_whatever_its_case(db: Session) -> None:
    user = factories.user(db, Role.MANAGER, email="pat@council.example")
    idp = provider(db)
    signed = sso.sign_in_with(db, idp, claims(email="PAT@Council.Example"), now=NOW)
    assert signed.user == user and not signed.multi_factor
    link = db.scalar(select(LinkedIdentity))
    assert link is not None and (link.subject, link.user_id, link.linked_at) == ("subject-1", user.id, NOW)
    assert user.last_sign_in_at == NOW
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["sso.linked", "sso.signed_in"]


def test_later_sign_ins_find_the_account_by_subject_even_if_the_address_changed(db: Session) -> None:
    user = factories.user(db, Role.COMMITTEE, email="pat@council.example")
    idp = provider(db)
    sso.sign_in_with(db, idp, claims(), now=NOW)
    later = NOW + timedelta(days=3)
    signed = sso.sign_in_with(db, idp, claims(email="pat.new@elsewhere.example", verified=False),
                              now=later)
    assert signed.user == user
    link = db.scalar(select(LinkedIdentity))
    assert link is not None and (link.linked_at, link.last_used_at) == (NOW, later)


@pytest.mark.parametrize(("given", "reason"), [
    (claims(verified=False), "unverified"),
    (claims(verified=None), "unverified"),
    (claims(verified="false"), "unverified"),
    (claims(email=""), "no_email"),
    (claims(sub=""), "no_subject"),
    (claims(email="pat@elsewhere.example"), "other_domain"),
    (claims(email="nobody@council.example"), "no_account"),
])
def test_a_sign_in_that_cannot_be_linked_is_refused_and_audited(
        db: Session, given: dict[str, Any], reason: str) -> None:
    factories.user(db, Role.MANAGER, email="pat@council.example")
    idp = provider(db)
    assert refusal(db, idp, given) == reason
    assert db.scalar(select(LinkedIdentity)) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "sso.refused"))
    assert event is not None and event.detail["reason"] == reason


def test_an_inactive_account_is_refused_by_email_and_by_subject(db: Session) -> None:
    user = factories.user(db, Role.MANAGER, email="pat@council.example")
    idp = provider(db)
    sso.sign_in_with(db, idp, claims(), now=NOW)
    user.active = False
    assert refusal(db, idp, claims()) == "inactive"
    other = factories.user(db, Role.MANAGER, email="sam@council.example")
    other.active = False
    assert refusal(db, idp, claims(sub="subject-2", email="sam@council.example")) == "inactive"


def test_an_organisations_provider_signs_in_only_its_own_agencys_staff(db: Session) -> None:
    northtown, southtown = factories.agency(db, "Northtown"), factories.agency(db, "Southtown")
    ours = factories.user(db, Role.AGENCY, agency=northtown, email="pat@council.example")
    factories.user(db, Role.AGENCY, agency=southtown, email="sam@council.example")
    factories.user(db, Role.MANAGER, email="mo@council.example")
    idp = provider(db, organisation="Northtown")
    assert sso.sign_in_with(db, idp, claims(), now=NOW).user == ours
    assert refusal(db, idp, claims(sub="s2", email="sam@council.example")) == "other_organisation"
    assert refusal(db, idp, claims(sub="s3", email="mo@council.example")) == "other_organisation"


def test_an_account_links_to_one_subject_per_provider(db: Session) -> None:
    factories.user(db, Role.MANAGER, email="pat@council.example")
    idp = provider(db)
    sso.sign_in_with(db, idp, claims(sub="first"), now=NOW)
    assert refusal(db, idp, claims(sub="second")) == "linked_elsewhere"


def test_removing_a_provider_removes_its_links(db: Session) -> None:
    factories.user(db, Role.MANAGER, email="pat@council.example")
    sso.sign_in_with(db, provider(db), claims(), now=NOW)
    sso.remove_provider(db, "council")
    db.expire_all()
    assert db.scalar(select(LinkedIdentity)) is None


@pytest.mark.no_database
@pytest.mark.parametrize(("amr", "multi"), [
    (["mfa"], True),
    (["pwd", "otp"], True),
    (["pwd", "hwk"], True),
    (["swk", "fpt"], True),
    (["pwd", "sms"], True),
    ("mfa", True),
    (["pwd"], False),
    (["otp"], False),
    (["pwd", "pin"], False),  # two things one knows are one factor
    (["hwk", "swk"], False),
    ([], False),
    (None, False),
    (42, False),
])
def test_the_amr_shows_multi_factor_for_mfa_or_two_kinds_of_method(amr: Any, multi: bool) -> None:
    assert sso.shows_multi_factor(amr) is multi


def test_a_multi_factor_amr_marks_the_sign_in(db: Session) -> None:
    factories.user(db, Role.MANAGER, email="pat@council.example")
    signed = sso.sign_in_with(db, provider(db), claims(amr=["pwd", "otp"]), now=NOW)
    assert signed.multi_factor
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "sso.signed_in"))
    assert event is not None and event.detail == {"provider": "council", "amr": ["pwd", "otp"],
                                                  "multi_factor": True}


def test_a_persons_linked_identities_are_exported_and_go_when_they_are_erased(db: Session) -> None:
    factories.user(db, Role.MANAGER, email="pat@council.example")
    sso.sign_in_with(db, provider(db), claims(), now=NOW)
    exported = export_person(db, "pat@council.example")["linked_identities"]
    assert exported == [{"subject": "subject-1", "linked_at": NOW.isoformat(),
                         "last_used_at": NOW.isoformat(), "provider": "council"}]
    erase_person(db, "pat@council.example", now=NOW)
    assert db.scalar(select(LinkedIdentity)) is None
