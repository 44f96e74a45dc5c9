"""Scopes: which partnership a service call works in (issue 28)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.models import Partnership
from portal.scoping import current_scope
from portal.services import partnerships
from portal.services.common import NotFound, Refused, Scope


def test_a_slug_names_its_partnership_whatever_its_case(db: Session) -> None:
    db.add(Partnership(slug="westshire", name="Westshire SCP", help_email="help@west.example"))
    db.commit()
    found = partnerships.scope_of(db, "Westshire")
    assert (found.slug, found.name) == ("westshire", "Westshire SCP")
    assert found == Scope(id=found.id, slug="westshire", name="Westshire SCP")
    with pytest.raises(NotFound):
        partnerships.scope_of(db, "eastshire")


def test_the_only_partnership_is_the_scope_until_there_are_two(db: Session) -> None:
    assert partnerships.only_scope(db).slug == "anyshire"
    db.add(Partnership(slug="westshire", name="Westshire SCP", help_email="help@west.example"))
    db.commit()
    with pytest.raises(Refused, match="--partnership"):
        partnerships.only_scope(db)


def test_a_request_resolves_its_scope_once(app: Flask, db: Session) -> None:
    with app.test_request_context("/"):
        first = current_scope()
        assert first.slug == "anyshire"
        assert current_scope() is first
