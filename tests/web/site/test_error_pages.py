"""An unexpected error shows the service's styled 500 page and commits nothing."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.access import public
from portal.db import db_session
from portal.models import Agency
from portal.services.common import NotFound
from tests.support import factories, page, page_text, url_for


def test_a_crash_shows_the_500_page_and_rolls_back(database_url: str, db: Session) -> None:
    app = create_app("testing", DATABASE_URL=database_url)
    health = factories.sector(db, "Health")

    @app.route("/boom")
    @public
    def boom() -> str:
        db_session().add(Agency(name="Half-saved", sector_id=health.id, cohort="A"))
        db_session().flush()
        raise RuntimeError("boom")

    client: FlaskClient = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)
    assert db.scalars(select(Agency)).all() == []


def test_a_service_not_found_is_the_styled_404(database_url: str) -> None:
    app = create_app("testing", DATABASE_URL=database_url)

    @app.route("/missing")
    @public
    def missing() -> str:
        raise NotFound("No such record")

    response = app.test_client().get("/missing")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


def _app_with_the_database_down() -> Any:
    from tests.support import free_port

    return create_app("testing", DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:"
                                              f"{free_port()}/gone")


def test_a_signed_in_user_gets_the_styled_error_page_while_the_database_is_down() -> None:
    down = _app_with_the_database_down()
    client = down.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"  # signed in: loading the user needs the database
        session["_fresh"] = True
    response = client.get(url_for(down, "manager.home"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)
    # the service's page, not the server's bare text
    assert page(response).select_one('link[rel="stylesheet"][href*="govuk-frontend.min.css"]')
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_503_while_the_database_is_down() -> None:
    response = _app_with_the_database_down().test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "failing"}  # details are for managers (issue 24)


def test_healthz_reports_the_outbox_and_the_strict_check_fails_on_old_mail(
    app: Any, db: Session
) -> None:
    from datetime import timedelta

    from portal.models import utcnow
    from portal.services import mail
    from portal.services.mail import Email

    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    mail.queue_email(db, Email(to="a@example.org", subject="S", text="T"), kind="t",
                     now=utcnow() - timedelta(hours=2))
    db.commit()
    assert client.get("/healthz").get_json() == {"status": "ok"}  # details: tests/web/test_edges
    assert client.get("/healthz").status_code == 200  # load balancers keep the instance
    assert client.get("/healthz/outbox").status_code == 503  # monitoring raises the alarm
