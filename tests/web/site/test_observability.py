"""Request ids and JSON logs (none of a survey answerer's address or browser), and /metrics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.access import public
from portal.models import OutboxMessage, SurveyLink
from portal.services import survey
from portal.web import limiter
from tests.support import factories, sign_in, submit_form, survey_fixture, url_for
from tests.support.logs import json_log

ADDRESS = "198.51.100.23"
BROWSER = "Practitioner-phone-browser/7"


def _survey_url(db: Session, known: survey_fixture.Known) -> str:
    survey.ensure_links(db, known.cycle, now=survey_fixture.OPENED)
    db.commit()
    token = db.scalar(select(SurveyLink.token).where(
        SurveyLink.agency_id == known.agencies["N0"].id))
    return f"/survey/{token}"


def test_the_json_log_of_a_survey_post_holds_no_address_browser_or_user(
        app: Flask, client: FlaskClient, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _survey_url(db, known)
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    with json_log() as lines:
        sent = survey_fixture.post_answers(client, url, survey_fixture.answers_for("OK", 0),
                                           headers={"User-Agent": BROWSER})
        client.get(url_for(app, "auth.sign_in"), headers={"User-Agent": BROWSER})
    assert sent.status_code == 302
    posted = [line for line in lines if line.get("method") == "POST"]
    assert [line["path"] for line in posted] == [url] and posted[0]["status"] == 302
    survey_lines = [line for line in lines if str(line.get("path", "")).startswith("/survey/")]
    assert len(survey_lines) == 2  # the form's GET and the POST
    for line in survey_lines:
        assert line["request_id"]
        assert ADDRESS not in str(line) and BROWSER not in str(line) and "user_id" not in line
    [sign_in] = [line for line in lines if line.get("endpoint") == "auth.sign_in"]
    assert sign_in["remote_addr"] == ADDRESS and sign_in["user_agent"] == BROWSER  # elsewhere: kept


@pytest.fixture
def failing_app(database_url: str) -> Flask:
    app = create_app("testing", DATABASE_URL=database_url, TRUSTED_PROXIES=1,
                     SECRET_KEY="observability-test-secret-key-long-enough")

    @app.route("/broken")
    @public
    def broken() -> str:
        raise RuntimeError("the page broke")

    return app


def test_a_failing_requests_log_lines_carry_the_request_id_of_its_response_header(
        failing_app: Flask) -> None:
    with json_log() as lines:
        response = failing_app.test_client().get("/broken")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [error] = [line for line in lines if line["message"] == "Unhandled error"]
    assert error["request_id"] == request_id and "the page broke" in error["exception"]
    [access] = [line for line in lines if line.get("path") == "/broken"]
    assert access["request_id"] == request_id and access["status"] == 500


def test_the_proxys_request_id_is_kept_only_behind_a_trusted_proxy(
        app: Flask, failing_app: Flask, client: FlaskClient) -> None:
    offered = "0123456789abcdef0123456789abcdef"
    behind_proxy = failing_app.test_client()
    page = url_for(failing_app, "auth.sign_in")
    trusted = behind_proxy.get(page, headers={"X-Request-ID": offered})
    assert trusted.headers["X-Request-ID"] == offered
    odd = behind_proxy.get(page, headers={"X-Request-ID": "a b;<c>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])
    direct = client.get(url_for(app, "auth.sign_in"), headers={"X-Request-ID": offered})  # no proxy
    assert direct.headers["X-Request-ID"] not in ("", offered)


def _metric(body: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", body, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def test_metrics_are_refused_to_other_addresses_and_without_the_token(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    assert client.get(url_for(app, "metrics")).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-token-for-the-test")
    assert client.get(url_for(app, "metrics"), headers={"Authorization": "Bearer wrong"}).status_code == 404
    token = {"Authorization": "Bearer scrape-token-for-the-test"}
    allowed = client.get(url_for(app, "metrics"), headers=token)
    assert allowed.status_code == 200 and "portal_http_requests_total" in allowed.text
    monkeypatch.setitem(app.config, "METRICS_ALLOWED", ["198.51.100.0/24"])
    assert client.get(url_for(app, "metrics")).status_code == 200


def test_metrics_show_the_outbox_depth_requests_sign_in_failures_and_job_runs(
        app: Flask, client: FlaskClient, db: Session) -> None:
    body = client.get(url_for(app, "metrics")).text
    assert _metric(body, 'portal_outbox_messages{status="pending"}') == 0
    assert _metric(body, "portal_outbox_oldest_waiting_seconds") == 0
    db.add_all([OutboxMessage(kind="test", to_address=f"a{i}@example.org", subject="Hello",
                              body_text="Hello") for i in range(3)])
    db.commit()
    failures = 'portal_sign_in_failures_total{reason="wrong"}'
    before = _metric(body, failures) if failures in body else 0.0
    refused = submit_form(client, url_for(app, "auth.sign_in"),
                          {"email": "nobody@example.org", "password": "wrong"})
    assert refused.status_code == 200
    assert app.test_cli_runner().invoke(args=["jobs", "succeeded", "backup"]).exit_code == 0
    body = client.get(url_for(app, "metrics")).text
    assert _metric(body, 'portal_outbox_messages{status="pending"}') == 3
    assert _metric(body, "portal_outbox_oldest_waiting_seconds") >= 0
    assert _metric(body, failures) == before + 1
    assert _metric(body, 'portal_job_last_success_timestamp_seconds{job="backup"}') > 1.7e9
    assert _metric(body, 'portal_http_requests_total{endpoint="auth.sign_in",method="POST",'
                         'status="200"}') >= 1
    assert 'portal_http_request_duration_seconds_bucket{endpoint="auth.sign_in",le="0.025"}' in body


def test_a_refused_survey_post_is_logged_without_its_address(
        database_url: str, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path, responses={})
    url = _survey_url(db, known)
    limited = create_app("testing", DATABASE_URL=database_url, RATELIMIT_ENABLED=True,
                         SURVEY_RATE_LIMIT="1 per minute",
                         SECRET_KEY="test-secret-key-that-is-long-enough-to-use")
    browser = limited.test_client()
    browser.environ_base["REMOTE_ADDR"] = ADDRESS
    try:
        with json_log() as lines:
            codes = [survey_fixture.post_answers(browser, url, survey_fixture.answers_for("OK", 0),
                                                 headers={"User-Agent": BROWSER}).status_code
                     for _ in range(2)]
    finally:
        limiter.reset()  # the module's one limiter: off again for the other tests' app
        limiter.enabled = False
    assert codes == [302, 429]
    breach = [line for line in lines if line["logger"] == "portal.views.survey"]
    assert breach and "over 1 per minute" in breach[0]["message"]  # the line is there
    assert not [line for line in lines if ADDRESS in str(line) or BROWSER in str(line)]


def test_a_signed_in_agency_users_lines_carry_their_user_and_agency(
        app: Flask, client: FlaskClient, db: Session) -> None:
    user = factories.user(db, "agency", agency=factories.agency(db, "Hilltop School"))
    db.commit()
    sign_in(client, user)
    with json_log() as lines:
        client.get(url_for(app, "auth.sign_in"))
    [line] = [line for line in lines if line["logger"] == "portal.requests"]
    assert (line["user_id"], line["agency_id"]) == (user.id, user.agency_id)


def test_a_signed_in_users_failing_request_is_logged_with_their_ids(
        failing_app: Flask, db: Session) -> None:
    user = factories.user(db, "agency", agency=factories.agency(db, "Lowfield School"))
    db.commit()
    browser = failing_app.test_client()
    sign_in(browser, user)
    with json_log() as lines:
        assert browser.get("/broken").status_code == 500  # the session is rolled back and closed
    [line] = [line for line in lines if line.get("path") == "/broken"]
    # logged after the rollback: the user's identity survives it, not their other fields
    assert (line["status"], line["user_id"]) == (500, user.id)
