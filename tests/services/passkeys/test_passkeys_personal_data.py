"""Passkeys are personal data (issue 29): `people export` lists them (never the key itself) and
`people erase` removes them, so an erased person's device can no longer sign in."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import passkeys, retention
from tests.support import factories
from tests.support.passkeys import SoftAuthenticator

NOW = datetime(2026, 12, 3, 10, 0)
RP = passkeys.RelyingParty.from_base_url("https://audit.example.org", "Anyshire")


def test_export_lists_passkeys_and_erase_removes_them(app: Flask, db: Session) -> None:
    member = factories.user(db, Role.COMMITTEE, email="cam@example.org")
    authenticator = SoftAuthenticator(rp_id="audit.example.org",
                                      origin="https://audit.example.org")
    options, challenge = passkeys.registration_options(db, member, rp=RP, now=NOW)
    passkeys.add_passkey(db, member, credential=authenticator.create(options),
                         challenge=challenge, name="Phone", rp=RP, now=NOW)
    exported = retention.export_person(db, "cam@example.org")
    assert exported["passkeys"] == [{"name": "Phone", "created_at": NOW.isoformat(),
                                     "last_used_at": None, "transports": "internal"}]
    retention.erase_person(db, "cam@example.org", now=NOW)
    assert passkeys.list_passkeys(db, member.id) == []
    options, challenge = passkeys.authentication_options(db, rp=RP, now=NOW)
    with pytest.raises(passkeys.PasskeyRefused):
        passkeys.verify_passkey(db, credential=authenticator.get(options), challenge=challenge,
                                rp=RP, now=NOW)
