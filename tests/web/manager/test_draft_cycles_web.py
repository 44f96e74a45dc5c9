"""The manager changes or deletes a draft cycle from its page; a deleted draft's label is free."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import cycles
from tests.support import factories, page, sign_in, submit_form, url_for
from tests.support.cycle_pages import text_of


def _draft(db: Session, client: FlaskClient) -> Any:
    draft = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=datetime(2030, 9, 1))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    return draft


def test_the_manager_changes_a_draft_from_its_page(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    draft = _draft(db, client)
    preview = page(client.get(url_for(app, "cycles.preview", cycle_id=draft.id)))
    change = preview.select_one("#draft-actions a")
    assert change is not None and change["href"] == url_for(app, "cycles.edit", cycle_id=draft.id)
    form = page(client.get(str(change["href"])))
    label = form.select_one("input[name=label]")
    assert label is not None and label["value"] == "2030-31"  # filled in

    changed = submit_form(client, str(change["href"]), {
        "label": "2031-32", "cohort": "B", "deadline": ["28", "2", "2031"],
        "final_deadline": ["", "", ""], "tool_version": str(tool.id)}, follow_redirects=True)

    text = text_of(changed.get_data(as_text=True))
    assert "Draft cycle 2031-32 changed" in text
    assert "28 February 2031" in text and "28 March 2031" in text
    db.expire_all()
    assert cycles.get_cycle(db, "2031-32").cohort == "B"


def test_a_deleted_draft_no_longer_blocks_its_label(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    draft = _draft(db, client)
    url = url_for(app, "cycles.delete", cycle_id=draft.id)
    question = page(client.get(url)).select_one("h1")
    assert question is not None
    assert question.get_text(strip=True) == \
        "Are you sure you want to delete draft cycle 2030-31?"

    deleted = submit_form(client, url, {}, follow_redirects=True)
    assert "Draft cycle 2030-31 deleted" in text_of(deleted.get_data(as_text=True))

    again = submit_form(client, url_for(app, "cycles.new"), {
        "label": "2030-31", "cohort": "A", "deadline": ["31", "1", "2031"],
        "final_deadline": ["", "", ""], "tool_version": str(tool.id)})
    assert again.status_code == 302  # created: on to its preview


def test_an_opened_cycle_has_no_change_or_delete_page(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    draft = _draft(db, client)
    cycles.open_cycle(db, draft, now=datetime(2030, 9, 1), links=None)
    db.commit()
    for endpoint in ("cycles.edit", "cycles.delete"):
        response = client.get(url_for(app, endpoint, cycle_id=draft.id))
        assert response.status_code == 302
        assert response.headers["Location"] == url_for(app, "cycles.dashboard", cycle_id=draft.id)
    refused = submit_form(client, url_for(app, "cycles.delete", cycle_id=draft.id), {},
                          get_url=url_for(app, "cycles.new"))
    assert refused.status_code == 302
    db.expire_all()
    assert cycles.get_cycle(db, "2030-31").status == "open"
