"""The annual report section as a Word file: A4, the N/A and blank sentences in the committee's
words, a survey paragraph under the survey's release rules, and every count equal to the MESC
report of the same moment (read back with python-docx)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.reports.annual import render_docx
from portal.services.reporting import annual_section
from portal.services.survey import SurveySettings
from tests.support import factories, page, report_fixture, sign_in, survey_fixture, url_for
from tests.support import visible_text as text_of
from tests.support.report_fixture import CURRENT


def _signed_in(client: FlaskClient, db: Session) -> None:
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, user)


def _docx(content: bytes) -> Any:
    return Document(io.BytesIO(content))


def _text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(parts)


def test_the_annual_docx_is_a4_with_the_na_sentences_and_the_reports_counts(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    report_fixture.build(db, tool)
    _signed_in(client, db)
    response = client.get(url_for(app, "reports.annual", label=CURRENT, fmt="docx"))
    assert response.status_code == 200
    document = _docx(response.data)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    text = _text(document)
    mesc = client.get(url_for(app, "reports.download", label=CURRENT, fmt="json")).get_json()
    assert mesc["na_blank"], "the fixture has a question mostly N/A"
    for question in mesc["na_blank"]:  # the committee's own words, as in the MESC report
        assert question["sentence"] in text
    assert "Answers marked not applicable (N/A) and questions left blank are not counted" in text
    assert (f"{mesc['issued']} agencies (cohort A) were sent the self-assessment tool and "
            f"{mesc['returned']} returned it") in text
    missing = mesc["issued"] - mesc["returned"]
    assert f"{missing} agencies did not return the tool" in text
    for s in [s for s in mesc["standards"] if s["graded"]][:3]:
        assert f"({s['weak']} of {s['graded']} graded answers" in text
    m = mesc["moderation"]
    assert m["visits_completed"] == 1
    assert f"1 moderation visit was held against a target of {m['target']}" in text
    assert "1 moderation visits" not in text and "1 agencies" not in text
    # the MESC page of the same moment says the same N/A sentences
    shown = text_of(page(client.get(url_for(app, "reports.cycle", label=CURRENT))))
    assert all(q["sentence"] in shown for q in mesc["na_blank"])


def test_the_survey_paragraph_gives_figures_only_once_released_and_above_the_threshold(
    app: Flask, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    known = survey_fixture.build(db, tmp_path)
    label = known.cycle.label
    _signed_in(client, db)
    still_open = _text(_docx(client.get(url_for(app, "reports.annual", label=label,
                                                fmt="docx")).data))
    assert "What practitioners say" in still_open
    assert "released when the cycle closes, so none are given here yet" in still_open
    assert "practitioners answered" not in still_open
    survey_fixture.close(db, known)
    closed = _text(_docx(client.get(url_for(app, "reports.annual", label=label,
                                            fmt="docx")).data))
    minimum = app.config["SURVEY_MIN_RESPONSES"]
    page_text = text_of(page(client.get(url_for(app, "reports.cycle", label=label))))
    about = page_text[page_text.index("About "):].split(" practitioners")[0]
    assert f"{about} practitioners answered in the 3 agencies with {minimum} or more responses" \
        in closed  # G1, G2 and OK; F4's 9 responses are below the threshold
    assert "They showed 5 corroboration gaps" in closed
    above_everyone = render_docx(annual_section(
        db, cycle_label=label, survey_settings=SurveySettings(min_responses=13)))
    assert "No agency had 13 or more responses, so no figures are given" in _text(
        _docx(above_everyone))
