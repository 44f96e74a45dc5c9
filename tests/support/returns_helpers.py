"""Helpers for the return tests: an open cycle, a standard page's form, posting it."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, CycleStatus, Return, ToolVersion
from portal.services.cycles import create_cycle, open_cycle
from portal.services.tools import questions_for_variant
from tests.support import page_text

OPENED = datetime(2026, 11, 2, 9, 0)
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version|digest)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def issue(db: Session, *, label: str = "2026-27", cohort: str = "A",
          deadline: date = date(2027, 1, 29), tool: ToolVersion | None = None) -> Cycle:
    """A cycle opened for a cohort (returns issued, no invitations). One cycle per cohort is
    open at a time: an earlier open one is closed, and a past cycle added later is history."""
    cycle = create_cycle(db, label=label, cohort=cohort, deadline=deadline, now=OPENED,
                         tool_version=tool)
    still_open = list(db.scalars(select(Cycle).where(Cycle.cohort == cohort,
                                                     Cycle.status == CycleStatus.OPEN.value)))
    for other in still_open:
        other.status = CycleStatus.CLOSED.value
    open_cycle(db, cycle, now=OPENED, links=None)
    for other in still_open:
        if other.deadline > deadline:  # the new cycle is the past one
            other.status, cycle.status = CycleStatus.OPEN.value, CycleStatus.CLOSED.value
    db.flush()
    return cycle


def return_of(db: Session, agency: Agency, cycle: Cycle) -> Return:
    found = db.scalar(select(Return).where(Return.agency_id == agency.id,
                                           Return.cycle_id == cycle.id))
    assert found is not None
    return found


def codes_by_standard(tool: ToolVersion, variant: str) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for question in questions_for_variant(tool, variant):
        codes.setdefault(question.standard.code, []).append(question.code)
    return codes


def slug(code: str) -> str:
    return code.replace(".", "-")


def answers_form(codes: list[str], grade: str = "good", evidence: str = "Policy and minutes",
                 **extra: str) -> dict[str, str]:
    data = {f"grade-{slug(c)}": grade for c in codes}
    data["evidence"] = evidence
    data.update(extra)
    return data


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for match in HIDDEN.finditer(html):
        value = VALUE.search(match.group(0))
        fields[match.group(1)] = value.group(1) if value else ""
    return fields


def post_standard(client: Any, url: str, data: dict[str, str], *, action: str = "later",
                  page_html: str | None = None) -> Any:
    """Post a standard's page with the hidden fields of the page as it was read."""
    if page_html is None:
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        page_html = page.get_data(as_text=True)
    return client.post(url, data={**hidden_fields(page_html), "action": action, **data})


def text_of(response: Any) -> str:
    """A page's visible text, spaces squeezed (`visible_text` of the parsed response)."""
    return page_text(response)
