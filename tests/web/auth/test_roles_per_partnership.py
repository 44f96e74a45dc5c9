"""A request reads the signed-in person's role in the request's partnership (issue 28): the
manager of one partnership who sits on another's Board gets the manager's pages in the first and
the Board member's in the second, and someone with no role in a partnership gets none of its
pages. Until pages live under /<slug>, a test sets the request's partnership as routing will:
`g.scope`, in the app context the request runs in."""

from __future__ import annotations

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.models import Role, User
from portal.services import partnerships
from portal.services.common import Scope
from tests.support import (
    factories,
    page_text,
    pass_second_factor,
    sign_in,
    sign_in_password_only,
    url_for,
)


def _get(app: Flask, client: FlaskClient, scope: Scope, endpoint: str) -> TestResponse:
    """One request in `scope` (a fresh app context, so nothing of an earlier request's `g`)."""
    with app.app_context():
        g.scope = scope
        return client.get(url_for(app, endpoint))


def _sign_in(app: Flask, client: FlaskClient, scope: Scope, user: User) -> None:
    """Sign in from a page of `scope`, as every request is made in a partnership once several
    share the service (its audit log records the sign-in)."""
    with app.app_context():
        g.scope = scope
        sign_in_password_only(client, user)


def _manager_here_board_there(db: Session, client: FlaskClient) -> tuple[User, Scope, Scope]:
    """Sam, signed in while the service hosts one partnership (a request with no partnership of
    its own works in the only one), then made a Board member of a second."""
    person = factories.user(db, Role.MANAGER, email="sam@example.org")
    db.commit()
    sign_in(client, person)
    westshire = factories.partnership(db, "westshire")
    factories.membership(db, person, Role.MODERATOR, partnership_id=westshire.id)
    db.commit()
    return person, partnerships.scope_of(db, "anyshire"), partnerships.scope_of(db, "westshire")


def test_the_same_person_is_manager_in_one_partnership_and_board_member_in_another(
        app: Flask, db: Session, client: FlaskClient) -> None:
    _, anyshire, westshire = _manager_here_board_there(db, client)

    assert _get(app, client, anyshire, "manager.users").status_code == 200
    assert _get(app, client, anyshire, "auth.index").location.endswith(
        url_for(app, "manager.home"))
    assert _get(app, client, westshire, "manager.users").status_code == 403
    assert _get(app, client, westshire, "auth.index").location.endswith(
        url_for(app, "moderation.home"))
    assert _get(app, client, westshire, "moderation.home").status_code == 200


def test_a_managers_list_of_people_is_their_partnerships(
        app: Flask, db: Session, client: FlaskClient) -> None:
    _, anyshire, westshire = _manager_here_board_there(db, client)
    factories.user(db, Role.COMMITTEE, email="only.west@example.org",
                   partnership_id=westshire.id)
    db.commit()
    listed = page_text(_get(app, client, anyshire, "manager.users"))
    assert "sam@example.org" in listed and "only.west@example.org" not in listed


def test_no_role_in_the_partnership_means_none_of_its_pages(
        app: Flask, db: Session, client: FlaskClient) -> None:
    _, anyshire, _ = _manager_here_board_there(db, client)
    eastshire = partnerships.scope_of(db, factories.partnership(db, "eastshire").slug)
    db.commit()
    for endpoint in ("auth.index", "manager.home", "moderation.home", "security.index"):
        assert _get(app, client, eastshire, endpoint).status_code == 403, endpoint
    assert _get(app, client, eastshire, "auth.sign_out").status_code == 200  # they can leave
    assert _get(app, client, anyshire, "manager.home").status_code == 200


def test_a_staff_role_in_any_partnership_asks_the_person_for_a_second_factor(
        app: Flask, db: Session, client: FlaskClient) -> None:
    """One sign-in serves every partnership of the person: an agency user of one partnership who
    manages another is asked for a second factor even on their agency's pages."""
    school = factories.agency(db, "Riverside Primary")
    lead = factories.user(db, Role.AGENCY, agency=school, email="lead@example.org")
    plain = factories.user(db, Role.AGENCY, agency=school, email="deputy@example.org")
    westshire = factories.partnership(db, "westshire")
    factories.membership(db, lead, Role.MANAGER, partnership_id=westshire.id)
    db.commit()
    anyshire = partnerships.scope_of(db, "anyshire")

    _sign_in(app, client, anyshire, plain)
    assert _get(app, client, anyshire, "agency.home").status_code == 200
    other = app.test_client()
    _sign_in(app, other, anyshire, lead)
    asked = _get(app, other, anyshire, "agency.home")
    assert asked.status_code == 302 and asked.location.startswith(
        url_for(app, "security.set_up"))


def test_the_operator_has_no_partnerships_pages_but_their_own_with_a_second_factor(
        app: Flask, db: Session, client: FlaskClient) -> None:
    """`flask users operator` makes a person with no membership the operator: they must set up
    a second factor, reach their own security page, and none of a partnership's pages."""
    operator = factories.user(db, Role.COMMITTEE, email="ops@example.org")
    db.delete(operator.membership)
    db.commit()
    made = app.test_cli_runner().invoke(args=["users", "operator", "--email", "ops@example.org"])
    assert made.exit_code == 0 and "ops@example.org is now the operator" in made.output
    db.refresh(operator)
    assert operator.is_operator and operator.memberships == []
    anyshire = partnerships.scope_of(db, "anyshire")

    sign_in_password_only(client, operator)
    asked = _get(app, client, anyshire, "security.index")
    assert asked.status_code == 302 and asked.location.startswith(url_for(app, "security.set_up"))
    pass_second_factor(client, operator.email)  # sets up an authenticator app
    assert _get(app, client, anyshire, "security.index").status_code == 200
    for endpoint in ("auth.index", "manager.home", "committee.home", "agency.home"):
        assert _get(app, client, anyshire, endpoint).status_code == 403, endpoint
    off = app.test_cli_runner().invoke(
        args=["users", "operator", "--email", "ops@example.org", "--off"])
    assert off.exit_code == 0
    assert _get(app, client, anyshire, "security.index").status_code == 302  # signed out
