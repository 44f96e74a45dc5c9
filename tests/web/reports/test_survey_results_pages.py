"""The partnership's survey pages: sectors, least agreed statements, agencies by gaps, packs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import survey
from tests.support import csrf_from, factories, page_text, sign_in, survey_fixture, url_for


def test_manager_and_committee_see_agencies_by_gaps_and_download_the_packs(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey_fixture.close(db, known)
    committee = factories.user(db, Role.COMMITTEE)
    agency_user = factories.user(db, Role.AGENCY, agency=known.agencies["G1"])
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, committee)
    assert "Compact Audit 2026-27" in page_text(client.get(url_for(app, "survey_results.index")))
    page = client.get(url_for(app, "survey_results.cycle", label="2026-27")).get_data(as_text=True)
    assert "About 30 responses from the 3 of 5 agencies whose own figures are shown" in page
    assert "2 agencies are not shown" in page
    assert page.index("GP practices agency G2") < page.index("Health agency G1")
    assert "agency F4" not in page.split("Agencies by corroboration gaps")[1]
    pack = client.get(url_for(app, "survey_results.partnership_pack", label="2026-27"))
    assert pack.status_code == 200 and pack.data.startswith(b"%PDF")
    g2 = known.agencies["G2"].id
    assert client.get(url_for(app, "survey_results.agency_pack", label="2026-27",
                              agency_id=g2)).status_code == 200
    assert client.get(url_for(app, "survey_results.poster", label="2026-27", agency_id=g2)).status_code == 403

    as_manager = client.application.test_client()
    sign_in(as_manager, manager)
    assert as_manager.get(url_for(app, "survey_results.poster", label="2026-27",
                                  agency_id=g2)).status_code == 200
    as_agency = client.application.test_client()
    sign_in(as_agency, agency_user)
    assert as_agency.get(url_for(app, "survey_results.cycle", label="2026-27")).status_code == 403


def test_a_manager_sets_a_flagged_burst_aside_with_a_reason_and_it_counts_no_more(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={"OK": 10})
    statements = survey.statements_of(db, known.cycle.tool_version_id)
    n0 = known.agencies["N0"]
    for _ in range(12):
        survey.record_response(db, cycle_id=known.cycle.id, agency_id=n0.id, statements=statements,
                               answers={st.code: "disagree" for st in statements}, role_band=None,
                               service_band=None, today=survey_fixture.OPENED.date(),
                               flag="burst 2026-05-01")
    manager = factories.user(db, Role.MANAGER)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, manager)
    page = page_text(client.get(url_for(app, "survey_results.cycle", label="2026-27")))
    assert "Answers flagged for review" in page and "Health agency N0 burst 2026-05-01 12" in page
    form = url_for(app, "survey_results.set_aside", label="2026-27", agency_id=n0.id,
                   flag="burst 2026-05-01")
    token = csrf_from(client.get(form).get_data(as_text=True))
    refused = client.post(form, data={"csrf_token": token, "reason": " "})
    assert "Enter why you are setting these answers aside" in page_text(refused)
    done = client.post(form, data={"csrf_token": token, "reason": "12 identical in 2 minutes"})
    assert done.status_code == 302
    assert "Set aside: 12 identical in 2 minutes" in page_text(
        client.get(url_for(app, "survey_results.cycle", label="2026-27")))
    survey_fixture.close(db, known)
    n0_result = next(a for a in survey.survey_results(db, known.cycle).agencies
                     if a.agency_id == n0.id)
    assert (n0_result.responses, n0_result.shown) == (0, False)
    as_committee = client.application.test_client()
    sign_in(as_committee, committee)
    assert "Answers flagged for review" not in page_text(
        as_committee.get(url_for(app, "survey_results.cycle", label="2026-27")))
    assert as_committee.get(form).status_code == 403
