"""Every return page declares who may use it."""

from __future__ import annotations

from flask import Flask

from portal.access import access_of


def test_every_return_page_is_for_agency_users_or_managers_only(app: Flask) -> None:
    mine = {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in ("agency", "manager_returns")}
    assert len(mine) > 10
    for endpoint in mine:
        expected = "roles:agency" if endpoint.startswith("agency.") else "roles:manager"
        assert access_of(app.view_functions[endpoint]) == expected, endpoint
