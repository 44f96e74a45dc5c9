"""Whatever rule a service raises, no page is a 500: every view, every role that may use it.

Each view module's imports from portal.services (the capability modules and the functions taken
from them) are replaced by stand-ins that raise one kind of ServiceError. Then every route of the
app is requested, GET and POST, by every role it admits (and signed out when public). The answer
must be a page a person can act on: the 404 page for a NotFound, the "You cannot do that" page
(409) saying the rule's words, the problems page (400) listing an Invalid's problems, or the
view's own handling of the error (the form again with the message, or a redirect flashing it).

A POST carries only its CSRF token, so a view that validates its form before calling a service
stops at its own checks (the answer must still not be a 500); the walk counts the views whose
services it reached and fails if that is fewer than two thirds of the routes."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.access import access_of
from portal.models import Role
from portal.services import accounts, requests, returns, survey
from portal.services.common import (
    ImportRejected,
    Invalid,
    LineError,
    NotFound,
    Problem,
    Refused,
    ServiceError,
)
from tests.support import csrf_from, factories, sign_in, url_for

WORDS = "The rule in the way, said in its own words"
NOT_WALKED = {"assets"}  # static files: no service behind them

KINDS: dict[str, Callable[[], ServiceError]] = {
    "NotFound": lambda: NotFound(WORDS),
    "SurveyClosed": lambda: survey.SurveyClosed(WORDS),
    "Refused": lambda: Refused(WORDS),
    "Invalid": lambda: Invalid([Problem("no_such_field", WORDS), Problem(None, "And another")]),
    "ServiceError": lambda: ServiceError(WORDS),
    "Conflict": lambda: returns.Conflict(returns.StandardInput(answers=[]), saved_by=WORDS,
                                         saved_at=None, mark=returns.ReadMark(0, "")),
    "ReturnLocked": lambda: returns.ReturnLocked(WORDS),
    "RequestRejected": lambda: requests.RequestRejected(WORDS),
    "SignInThrottled": lambda: accounts.SignInThrottled(WORDS),
    "ImportRejected": lambda: ImportRejected([LineError("line 2", WORDS)]),
}


@dataclass
class Raiser:
    """Stands in for a service function: raises the error and counts the calls."""

    make: Callable[[], ServiceError]
    calls: list[str] = field(default_factory=list)

    def __call__(self, name: str) -> Callable[..., Any]:
        def raising(*_args: Any, **_kwargs: Any) -> Any:
            self.calls.append(name)
            raise self.make()

        return raising


class RaisingModule:
    """A capability module whose functions raise; its classes and constants are the real ones
    (a view's `except moderation.PlansRefused` still needs the class)."""

    def __init__(self, real: ModuleType, raiser: Raiser) -> None:
        self._real, self._raiser = real, raiser

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._real, name)
        return self._raiser(f"{self._real.__name__}.{name}") if inspect.isfunction(found) else found


def _from_services(value: Any) -> bool:
    name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", "")
    return isinstance(name, str) and name.startswith("portal.services")


def make_services_raise(monkeypatch: pytest.MonkeyPatch, raiser: Raiser) -> int:
    """Replace what each portal.views module took from portal.services; how many replaced."""
    replaced = 0
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("portal.views.") or module is None:
            continue
        for name, value in list(vars(module).items()):
            if inspect.ismodule(value) and _from_services(value):
                monkeypatch.setattr(module, name, RaisingModule(value, raiser))
            elif inspect.isfunction(value) and _from_services(value):
                monkeypatch.setattr(module, name, raiser(f"{value.__module__}.{name}"))
            else:
                continue
            replaced += 1
    return replaced


@dataclass(frozen=True)
class Route:
    endpoint: str
    path: str
    methods: tuple[str, ...]
    roles: tuple[str, ...]  # empty: public, walked signed out


def every_route(app: Flask) -> list[Route]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_WALKED:
            continue
        access = access_of(app.view_functions[rule.endpoint]) or ""
        roles = tuple(access.split(":")[1].split(",")) if access.startswith("roles:") else ()
        methods = tuple(m for m in ("GET", "POST") if m in (rule.methods or ()))
        routes.append(Route(rule.endpoint, re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "1", rule.rule),
                            methods, roles))
    return routes


def visible_text(html: str) -> tuple[BeautifulSoup, str]:
    page = BeautifulSoup(html, "lxml")
    return page, " ".join(page.get_text(" ").split())


def heading(page: BeautifulSoup) -> str:
    h1 = page.find("h1")
    return " ".join(h1.get_text(" ").split()) if h1 else ""


@dataclass
class Walk:
    app: Flask
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    raiser: Raiser
    kind: str
    seen: dict[int, int] = field(default_factory=dict)
    reached: set[str] = field(default_factory=set)

    def request(self, route: Route, method: str, who: str) -> None:
        client = self.clients[who]
        before = len(self.raiser.calls)
        data = {"csrf_token": self.tokens[who]} if method == "POST" else None
        response = client.open(route.path, method=method, data=data)
        where = f"{method} {route.path} as {who} ({self.kind})"
        flashes = self._flashes(client)
        assert response.status_code < 500, f"{where} gave {response.status_code}"
        self.seen[response.status_code] = self.seen.get(response.status_code, 0) + 1
        if len(self.raiser.calls) > before:
            self.reached.add(route.endpoint)
            self.check(response, flashes, where)

    def check(self, response: Any, flashes: list[str], where: str) -> None:
        """The service raised during this request: the answer must be the right page."""
        error = KINDS[self.kind]()
        status = response.status_code
        if status in (301, 302, 303):
            assert any(str(error) in m for m in flashes), f"{where}: redirected, nothing said"
            return
        page, text = visible_text(response.get_data(as_text=True))
        if status == 404:
            assert isinstance(error, NotFound), f"{where}: a 404 for a {self.kind}"
            assert heading(page) == "Page not found", where
        elif status == 410:
            assert isinstance(error, survey.SurveyClosed), f"{where}: 410 for a {self.kind}"
        elif status == 409:
            assert not isinstance(error, NotFound | Invalid), f"{where}: 409 for a {self.kind}"
            assert heading(page) == "You cannot do that", where
            said = page.select_one("[data-refused]")
            assert said is not None and said.get_text(strip=True) == str(error), where
        elif status == 400 and heading(page) == "What you sent could not be used":
            assert isinstance(error, Invalid), f"{where}: the problems page for a {self.kind}"
            summary = page.select_one(".govuk-error-summary")
            assert summary is not None, where
            assert [li.get_text(strip=True) for li in summary.select("li")] == [
                p.message for p in error.problems], where
        else:
            # the view handled it: the same page again, saying what is wrong
            assert status in (200, 400, 403), f"{where} gave {status}"
            shown = [m for m in _messages(error) if m in text]
            assert shown, f"{where}: {status} without the error's words"

    @staticmethod
    def _flashes(client: FlaskClient) -> list[str]:
        with client.session_transaction() as session:
            return [message for _, message in session.pop("_flashes", [])]


def _messages(error: ServiceError) -> list[str]:
    if isinstance(error, Invalid):
        return [p.message for p in error.problems]
    if isinstance(error, ImportRejected):
        return [e.message for e in error.errors] + [str(error)]
    return [str(error)]


@pytest.fixture
def signed_in(app: Flask, db: Session) -> tuple[dict[str, FlaskClient], dict[str, str]]:
    """A client for each role (and one signed out), each with its CSRF token."""
    agency = factories.agency(db, "Riverside Youth Club")
    users = {role.value: factories.user(db, role, agency=agency if role == Role.AGENCY else None)
             for role in Role}
    db.commit()
    clients: dict[str, FlaskClient] = {}
    tokens: dict[str, str] = {}
    for who in [*users, "public"]:
        client = app.test_client()
        if who != "public":
            sign_in(client, users[who])
        clients[who] = client
        tokens[who] = csrf_from(client.get(url_for(app, "auth.forgot_password")).get_data(as_text=True))
    return clients, tokens


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_view_answers_a_service_error_with_a_500(
    app: Flask, signed_in: tuple[dict[str, FlaskClient], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch, kind: str,
) -> None:
    raiser = Raiser(KINDS[kind])
    assert make_services_raise(monkeypatch, raiser) > 40  # every views module's services
    walk = Walk(app, *signed_in, raiser=raiser, kind=kind)
    routes = every_route(app)
    for route in routes:
        for who in route.roles or ("public",):
            for method in route.methods:
                walk.request(route, method, who)
    # the walk reached the services behind most pages (some pages call none before their form)
    assert len(walk.reached) > len(routes) * 2 // 3, sorted(
        r.endpoint for r in routes if r.endpoint not in walk.reached)
