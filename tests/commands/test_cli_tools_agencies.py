"""The CLI: tools load/show, agencies import (all or nothing, errors by line), users create."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, AuditEvent, OutboxMessage, Role, ToolVersion, User
from portal.services import tools
from tests.support import factories
from tests.support.mail import Mailbox

GOOD_CSV = """name,sector,email,contact_name,cohort,variant
Hillside Primary School,schools and colleges,dsl@hillside.example.org,Ann Lee,A,
Riverside Youth Club,Voluntary and Community,lead@riverside.example.org,Bo Chan,,short
Northgate Medical Practice,GP practices,pm@northgate.example.org,Cy Dee,B,full
"""


def _run(app: Flask, *args: str) -> object:
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_tools_load_is_idempotent_for_the_same_file(app: Flask, db: Session) -> None:
    first = _run(app, "tools", "load")
    second = _run(app, "tools", "load")
    assert "Loaded tool version 2026.2" in first.output  # type: ignore[attr-defined]
    assert "already loaded (unchanged)" in second.output  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(ToolVersion)) == 1


def test_a_loaded_version_never_changes(app: Flask, db: Session, tmp_path: Path) -> None:
    _run(app, "tools", "load")
    data = json.loads(tools.CURRENT_EDITION.read_text())
    data["standards"][0]["questions"][0]["text"] = "Changed wording"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    result = app.test_cli_runner().invoke(args=["tools", "load", str(changed)])
    assert result.exit_code != 0
    assert "already loaded with different content" in result.output


def test_tools_load_names_every_problem_in_a_bad_file(app: Flask, tmp_path: Path) -> None:
    data = json.loads(tools.CURRENT_EDITION.read_text())
    data["version"] = "bad.1"
    data["standards"][5]["questions"][1]["descriptors"] = {}
    data["standards"][6]["questions"][0]["code"] = "7.x"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = app.test_cli_runner().invoke(args=["tools", "load", str(bad)])
    assert result.exit_code != 0
    assert "question 6.2: descriptors must give exactly" in result.output
    assert "question 7.x: code must look like 7.N" in result.output


def test_tools_show_json_lists_twelve_standards_with_questions_and_variants(app: Flask) -> None:
    _run(app, "tools", "load")
    result = _run(app, "tools", "show", "--format", "json")
    data = json.loads(result.output)  # type: ignore[attr-defined]
    assert data["version"] == "2026.2"
    assert len(data["standards"]) == 12
    first = data["standards"][0]
    assert set(first) == {"code", "title", "questions"}
    assert first["code"] == "1" and first["title"] == "Leadership and accountability"
    assert set(first["questions"][0]) == {"code", "text", "variants"}
    assert first["questions"][0]["code"] == "1.1"
    all_variants = {v for s in data["standards"] for q in s["questions"] for v in q["variants"]}
    assert all_variants == {"full", "schools", "short"}


def test_agencies_import_adds_every_line(app: Flask, db: Session, tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text(GOOD_CSV)
    result = _run(app, "agencies", "import", str(path))
    assert "Imported 3 agencies" in result.output  # type: ignore[attr-defined]
    rows = {a.name: a for a in db.scalars(select(Agency))}
    assert rows["Hillside Primary School"].variant == "schools"  # the sector's usual tool
    assert rows["Hillside Primary School"].cohort == "A"
    assert rows["Riverside Youth Club"].variant == "short"
    assert rows["Riverside Youth Club"].cohort == "B"  # blank: the smaller cohort after line 2
    assert rows["Northgate Medical Practice"].primary_contact.email == "pm@northgate.example.org"


def test_agencies_import_with_an_unknown_sector_changes_nothing(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    factories.agency(db, "Existing Agency")
    db.commit()
    lines = GOOD_CSV.splitlines()
    lines[2] = "Riverside Youth Club,Space agencies,lead@riverside.example.org,Bo Chan,,short"
    path = tmp_path / "agencies.csv"
    path.write_text("\n".join(lines) + "\n")
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3: unknown sector 'Space agencies'" in result.output
    assert "line 2" not in result.output and "line 4" not in result.output
    assert [a.name for a in db.scalars(select(Agency))] == ["Existing Agency"]


def test_agencies_import_reports_each_bad_line(app: Flask, db: Session, tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text(
        "name,sector,email,contact_name,cohort\n"
        "One,Health,not-an-email,Ann,A\n"
        ",Health,b@example.org,Bob,C\n"
        "One,Health,c@example.org,,A\n"
    )
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(path)])
    assert result.exit_code != 0
    assert "line 2: enter a valid email address" in result.output
    assert "line 3: enter the agency name" in result.output
    assert "line 3: cohort must be A or B" in result.output
    assert "line 4: One is also on line 2" in result.output
    assert "line 4: enter the contact name" in result.output
    assert db.scalar(select(func.count()).select_from(Agency)) == 0


def test_agencies_import_rejects_a_wrong_header(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text("agency,sector\nOne,Health\n")
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(path)])
    assert result.exit_code != 0
    assert "line 1: the header is missing name, email, contact_name, cohort" in result.output


def test_users_create_sends_a_set_password_link(
    app: Flask, db: Session, mailbox: Mailbox
) -> None:
    factories.agency(db, "Hillside Primary School")
    db.commit()
    result = _run(app, "users", "create", "--email", "DSL@Hillside.example.org", "--role",
                  "agency", "--agency", "hillside primary school")
    assert "Created agency user dsl@hillside.example.org" in result.output  # type: ignore[attr-defined]
    user = db.scalar(select(User).where(User.email == "dsl@hillside.example.org"))
    assert user is not None and user.agency is not None
    assert user.agency.name == "Hillside Primary School"
    queued = db.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in queued] == ["dsl@hillside.example.org"]
    assert "/set-password/" in queued[0].body_text
    _run(app, "mail", "send")
    received = mailbox.to("dsl@hillside.example.org")
    assert len(received) == 1
    assert received[0]["Subject"] == "Set your Compact Audit password"
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == user.id)) == \
        "user.created"


def test_users_create_refuses_an_agency_user_without_an_agency(app: Flask, db: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "x@example.org", "--role", "agency"])
    assert result.exit_code != 0
    assert "Error: Enter the agency an agency user belongs to" in result.output
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_agencies_import_refuses_names_on_more_than_one_line_or_too_long(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text('name,sector,email,contact_name,cohort\n'
                    '"Two\nLines",Health,a@example.org,Ann,A\n'
                    f'{"x" * 201},Health,b@example.org,Bob,A\n')
    result = app.test_cli_runner().invoke(args=["agencies", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3: the agency name must be on one line" in result.output
    assert "line 4: the agency name must be 200 characters or fewer" in result.output
    assert db.scalar(select(func.count()).select_from(Agency)) == 0


def test_tools_show_short_variant_numbers_its_questions_without_gaps_in_its_own_words(
        app: Flask) -> None:
    _run(app, "tools", "load")
    result = _run(app, "tools", "show", "--format", "json", "--variant", "short")
    data = json.loads(result.output)  # type: ignore[attr-defined]
    questions = [q for s in data["standards"] for q in s["questions"]]
    assert [q["number"] for q in questions] == [str(n) for n in range(1, len(questions) + 1)]
    assert len(questions) <= 20
    first = data["standards"][0]["questions"][0]
    assert first["code"] == "1.1" and "short" in first["variants"]
    assert first["text"].startswith("One named person in your group")
    assert set(first["descriptors"]) == {"outstanding", "good", "requires_improvement",
                                         "inadequate"}
    assert "board" not in json.dumps(data).lower()
    assert [q["code"] for q in questions][:3] == ["1.1", "1.3", "2.1"]  # stable codes underneath


def test_users_reactivate_lets_a_disabled_manager_sign_in_again_and_is_audited(
    app: Flask, db: Session
) -> None:
    manager = factories.user(db, Role.MANAGER)
    manager.active = False
    db.commit()
    result = _run(app, "users", "reactivate", "--email", manager.email.upper())
    assert f"{manager.email} can sign in again" in result.output  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(User, manager.id).active  # type: ignore[union-attr]
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.entity_id == manager.id)) == \
        "user.activated"
    unknown = app.test_cli_runner().invoke(args=["users", "reactivate", "--email", "no@one.org"])
    assert unknown.exit_code != 0 and "No user has the email no@one.org" in unknown.output
