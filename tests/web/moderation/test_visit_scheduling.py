"""The manager schedules every visit of a sample on one page; the attendees get the visit pack."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import Visit
from tests.support import page, sign_in, submit_form, url_for
from tests.support.mail import Mailbox
from tests.support.moderation_factories import drawn, evidence, grade


def _form(visits: list[Visit], *, year: str = "2031", member: dict[int, int] | None = None
          ) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for n, visit in enumerate(visits):
        data[f"day_{visit.id}"] = [str(10 + n), "6", year]
        data[f"start_{visit.id}"] = "10:00"
        data[f"place_{visit.id}"] = f"Meeting room {n + 1}"
        data[f"member_{visit.id}"] = str((member or {}).get(visit.id, visit.member_id))
    return data


def _pdf_text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


def test_the_manager_schedules_all_visits_of_a_sample_on_one_page(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: Mailbox
) -> None:
    made, manager = drawn(db)
    first = made[0]
    grade(db, first.return_, {"1.1": "inadequate", "1.2": "good", "1.3": "not_applicable"})
    evidence(db, first.return_, "1", "Board minutes show quarterly safeguarding reports.")
    db.commit()
    sign_in(client, manager)  # type: ignore[arg-type]
    url = url_for(app, "moderation_admin.schedule_all", label="2017-18")
    page = client.get(url).get_data(as_text=True)
    for visit in made:
        assert visit.return_.agency.name in page
    assert f"Schedule {len(made)} visits and send the invitations" in page

    past = submit_form(client, url, _form(made, year="2020"))
    assert past.status_code == 200
    assert f"The date of the visit to {first.return_.agency.name} must be in the future" in \
        past.get_data(as_text=True).replace("&#39;", "'")
    db.expire_all()
    assert all(db.get(Visit, v.id).status == "planned" for v in made)  # type: ignore[union-attr]
    assert mailbox.messages == []

    done = submit_form(client, url, _form(made))
    assert done.status_code == 302
    db.expire_all()
    assert all(db.get(Visit, v.id).status == "scheduled" for v in made)  # type: ignore[union-attr]
    assert first.member is not None
    member_mail = [m for m in mailbox.to(first.member.email)
                   if first.return_.agency.name in str(m["Subject"])]
    [invitation] = member_mail
    names = sorted(p.get_filename() or "" for p in invitation.iter_attachments())
    assert names[0] == "moderation-visit.ics" and names[1].startswith("visit-pack-")
    pack = next(p for p in invitation.iter_attachments() if p.get_content_type() ==
                "application/pdf")
    text = _pdf_text(pack.get_content())
    contact = first.return_.agency.primary_contact
    assert contact is not None
    for expected in (first.return_.agency.name, "Questions worth probing", contact.email,
                     "Self-grade: Inadequate", "Why not applicable: Not relevant",
                     "Board minutes show quarterly safeguarding reports."):
        assert expected in text, expected
    [agency_mail] = mailbox.to(contact.email)
    assert [p.get_filename() for p in agency_mail.iter_attachments()] == ["moderation-visit.ics"]


def test_the_visit_pack_downloads_for_the_member_and_the_manager_only(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    made, manager = drawn(db)
    visit, other = made[0], made[1]
    assert visit.member is not None and other.member_id != visit.member_id
    sign_in(client, visit.member)
    shown = page(client.get(url_for(app, "moderation.visit", visit_id=visit.id)))
    assert shown.select_one(f'a[href="{url_for(app, "moderation.pack", visit_id=visit.id)}"]')
    response = client.get(url_for(app, "moderation.pack", visit_id=visit.id))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert visit.return_.agency.name in _pdf_text(response.data)
    assert client.get(url_for(app, "moderation.pack", visit_id=other.id)).status_code == 404
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, manager)  # type: ignore[arg-type]
    assert client.get(url_for(app, "moderation.pack", visit_id=other.id)).status_code == 200


def test_typed_rows_survive_a_side_page_and_go_once_the_visits_are_scheduled(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: Mailbox
) -> None:
    """Issue 27 #4: "Offer a choice of dates" posts the typed rows first; coming back puts them
    back (the date's three boxes in order, a half-typed row too); scheduling drops them."""
    made, manager = drawn(db)
    first, second = made[:2]
    sign_in(client, manager)  # type: ignore[arg-type]
    url = url_for(app, "moderation_admin.schedule_all", label="2017-18")
    typed = _form(made)
    typed[f"day_{second.id}"] = ["", "7", "2031"]  # half typed: the day box still empty
    typed[f"place_{second.id}"] = "  "
    side = submit_form(client, url, {**typed, "go": f"offer-{first.id}"})
    assert side.status_code == 302
    assert side.location == url_for(app, "moderation_admin.offer", visit_id=first.id)

    back = page(client.get(url))
    assert back.select_one("#app-kept-rows") is not None
    assert [back.select_one(f'[name="day_{first.id}"]')["value"]] == ["10"]
    assert [i.get("value", "") for i in back.select(f'[name="day_{second.id}"]')] == [
        "", "7", "2031"]
    assert back.select_one(f'[name="start_{second.id}"]')["value"] == "10:00"
    assert back.select_one(f'[name="place_{first.id}"]')["value"] == "Meeting room 1"
    assert back.select_one(f'[name="place_{second.id}"]').get("value", "") == ""
    assert back.select(".govuk-error-summary") == []  # kept, not judged

    unknown = submit_form(client, url, {**typed, "go": "offer-999999"})
    assert unknown.status_code == 200  # not a side page of this cycle: read as the form itself
    assert mailbox.messages == []
    done = submit_form(client, url, _form(made))
    assert done.status_code == 302
    again = page(client.get(url))
    assert again.select_one("#app-kept-rows") is None


def test_a_side_page_with_nothing_typed_keeps_no_draft(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    """The members shown are preselected: posting them alone is not something typed to keep."""
    made, manager = drawn(db)
    sign_in(client, manager)  # type: ignore[arg-type]
    url = url_for(app, "moderation_admin.schedule_all", label="2017-18")
    untouched = {f"member_{v.id}": str(v.member_id) for v in made}
    side = submit_form(client, url, {**untouched, "go": f"offer-{made[0].id}"})
    assert side.status_code == 302
    assert page(client.get(url)).select_one("#app-kept-rows") is None
    chosen = {**untouched, f"member_{made[0].id}": str(made[1].member_id)}
    submit_form(client, url, {**chosen, "go": f"offer-{made[0].id}"})
    back = page(client.get(url))
    assert back.select_one("#app-kept-rows") is not None  # another member chosen: kept
    assert back.select_one(f'[name="member_{made[0].id}"] option[selected]')["value"] == str(
        made[1].member_id)
