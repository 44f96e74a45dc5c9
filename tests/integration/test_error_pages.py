"""An unexpected error shows the service's styled 500 page and commits nothing."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import create_app
from portal.access import public
from portal.db import db_session
from portal.models import Agency
from portal.services.common import NotFound
from tests import factories


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
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)
    assert db.scalars(select(Agency)).all() == []


def test_a_service_not_found_is_the_styled_404(database_url: str) -> None:
    app = create_app("testing", DATABASE_URL=database_url)

    @app.route("/missing")
    @public
    def missing() -> str:
        raise NotFound("No such record")

    response = app.test_client().get("/missing")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
