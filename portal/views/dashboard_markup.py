"""The cycle dashboard's return list, written out: the rows Jinja wrote from
templates/cycles/dashboard.html, byte for byte, at a fraction of the cost (a page lists up to
100 returns, and the template's loop was most of the page's CPU).
tests/web/manager/test_dashboard_markup.py compares both for every kind of row."""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from markupsafe import Markup, escape

from portal.filters import govuk_datetime, govuk_tag, status_label
from portal.services.cycles import ReturnRow

TAG_CLASSES = {"not_started": "govuk-tag--grey", "in_progress": "govuk-tag--blue",
               "reopened": "govuk-tag--yellow", "submitted": "govuk-tag--green"}
OVERDUE = str(govuk_tag("Overdue", "govuk-tag--red"))
CARRIED = str(govuk_tag("Carried over", "govuk-tag--orange"))
_ID = 987654321  # stands for the agency's id in its page's address, built once per list


def return_rows(rows: Iterable[ReturnRow], *, is_manager: bool) -> Markup:
    """The list's <tr> rows; the agency's name links to its page for the manager."""
    before, _, after = url_for("manager.agency_detail", agency_id=_ID).partition(str(_ID))
    out = []
    for r in rows:
        agency = escape(r.agency)
        name = (f'<a class="govuk-link" href="{escape(before)}{r.agency_id}{escape(after)}">'
                f"{agency}</a>" if is_manager else str(agency))
        tags = (f"{govuk_tag(status_label(r.status), TAG_CLASSES.get(r.status, ''))}\n"
                + (f" {OVERDUE}" if r.overdue else "") + (f" {CARRIED}" if r.carried_over else ""))
        out.append(
            '    <tr class="govuk-table__row">\n'
            f'      <td class="govuk-table__cell">{name}</td>\n'
            f'      <td class="govuk-table__cell">{escape(r.sector)}</td>\n'
            f'      <td class="govuk-table__cell">\n        {tags}      </td>\n'
            f'      <td class="govuk-table__cell">{_contact(r, is_manager)}</td>\n'
            f'      <td class="govuk-table__cell">{_when(r.last_chaser_at)}</td>\n'
            f'      <td class="govuk-table__cell">{_when(r.last_activity_at)}</td>\n'
            "    </tr>\n")
    return Markup("".join(out))  # nosec B704: every value escaped (bandit-findings.md)


def _contact(r: ReturnRow, is_manager: bool) -> str:
    if not r.contact_email:
        return "No contact"
    email = f'<br><span class="govuk-body-s">{escape(r.contact_email)}</span>' if is_manager else ""
    return f"{escape(r.contact_name)}{email}"


def _when(value: object) -> str:
    return str(escape(govuk_datetime(value))) if value else "None"  # type: ignore[arg-type]
