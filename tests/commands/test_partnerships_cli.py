"""flask partnerships list: the partnerships the service hosts, with their cycles and returns."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.support import factories
from tests.support.returns_helpers import issue


def test_the_list_shows_the_installations_partnership_and_counts_its_data(
        app: Flask, db: Session) -> None:
    factories.tool(db)
    for name in ("Riverside Primary", "Hillside GP Practice", "Northgate Scouts"):
        factories.agency(db, name)
    issue(db)
    db.commit()
    result = app.test_cli_runner().invoke(args=["partnerships", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "anyshire\tAnyshire Safeguarding Children Partnership\t"
        "safeguarding.partnership@example.org\t1 cycles\t3 returns"]
