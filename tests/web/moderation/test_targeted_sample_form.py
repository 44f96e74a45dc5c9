"""The web sample form offers what `flask moderation sample --targeted` does: part of the
sample given to the agencies with the largest practitioner-survey gaps."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ModerationSample, Return, Role
from portal.services import moderation
from tests.support import factories, page, sign_in, submit_form, survey_fixture, url_for


def test_the_sample_form_draws_a_targeted_sample_like_the_command(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    survey_fixture.build(db, tmp_path)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    url = url_for(app, "moderation_admin.draw", label="2026-27")
    field = page(client.get(url)).select_one("input[name=targeted]")
    assert field is not None and field["value"] == "0"  # random unless asked

    drawn = submit_form(client, url, {"rate": "60", "seed": "11", "exclude_recent": "0",
                                      "targeted": "50", "replacing": "0"})

    assert drawn.status_code == 302, drawn.get_data(as_text=True)[:2000]
    sample = db.scalar(select(ModerationSample))
    assert sample is not None and sample.targeted == 0.5
    targeted = sorted(db.get(Return, i).agency.name  # type: ignore[union-attr]
                      for i in sample.targeted_chosen)
    assert targeted == ["GP practices agency G2", "Health agency G1"]  # as the command draws
    assert moderation.rederive(db, sample).matches


def test_a_targeted_share_over_100_is_refused_on_its_field(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    survey_fixture.build(db, tmp_path)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    url = url_for(app, "moderation_admin.draw", label="2026-27")

    refused = submit_form(client, url, {"rate": "60", "seed": "11", "exclude_recent": "0",
                                        "targeted": "150", "replacing": "0"})

    assert refused.status_code == 200
    errors = [a.get_text(strip=True) for a in page(refused).select(".govuk-error-summary__list a")]
    assert errors == ["The targeted percentage must be between 0 and 100"]
    assert db.scalar(select(ModerationSample)) is None
