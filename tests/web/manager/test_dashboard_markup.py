# ruff: noqa: E501  (the template loop is kept as the template had it, long lines included)
"""The dashboard's return list is written out in Python (portal/views/dashboard_markup.py) for
speed: its rows must be byte for byte what the template's loop wrote, for every kind of row,
for the manager (names linked, addresses shown) and for the other readers."""

from __future__ import annotations

import itertools
from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import Flask

from portal.services.cycles import ReturnRow
from portal.views.dashboard_markup import return_rows

# The loop templates/cycles/dashboard.html had before the rows were written out.
TEMPLATE_LOOP = """\
  {% set tag_classes = {"not_started": "govuk-tag--grey", "in_progress": "govuk-tag--blue", "reopened": "govuk-tag--yellow", "submitted": "govuk-tag--green"} %}
  {% for r in data.returns %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{% if is_manager %}<a class="govuk-link" href="{{ url_for('manager.agency_detail', agency_id=r.agency_id) }}">{{ r.agency }}</a>{% else %}{{ r.agency }}{% endif %}</td>
      <td class="govuk-table__cell">{{ r.sector }}</td>
      <td class="govuk-table__cell">
        {{ govuk_tag(r.status | status_label, tag_classes[r.status]) }}
        {% if r.overdue %} {{ govuk_tag("Overdue", "govuk-tag--red") }}{% endif %}
        {% if r.carried_over %} {{ govuk_tag("Carried over", "govuk-tag--orange") }}{% endif %}
      </td>
      <td class="govuk-table__cell">{% if r.contact_email %}{{ r.contact_name }}{% if is_manager %}<br><span class="govuk-body-s">{{ r.contact_email }}</span>{% endif %}{% else %}No contact{% endif %}</td>
      <td class="govuk-table__cell">{{ r.last_chaser_at | govuk_datetime if r.last_chaser_at else "None" }}</td>
      <td class="govuk-table__cell">{{ r.last_activity_at | govuk_datetime if r.last_activity_at else "None" }}</td>
    </tr>
  {% endfor %}
"""
STATUSES = ("not_started", "in_progress", "reopened", "submitted")
CONTACTS = ((None, None), ("Jo <Lead>", "jo&co@example.org"), (None, "no-name@example.org"))
TIMES = (None, datetime(2026, 11, 3, 10, 5), datetime(2026, 6, 30, 23, 30))


def _every_kind_of_row() -> list[ReturnRow]:
    kinds = itertools.product(STATUSES, (False, True), (False, True), CONTACTS, TIMES)
    return [ReturnRow(return_id=n, agency_id=n + 1000, agency=f"Agency {n} & <Sons> \u00e9",
                      sector="Health & Care", status=status, carried_over=carried,
                      overdue=overdue, contact_name=name, contact_email=email,
                      last_chaser_at=when, last_activity_at=TIMES[n % len(TIMES)])
            for n, (status, overdue, carried, (name, email), when) in enumerate(kinds)]


@pytest.mark.parametrize("is_manager", [True, False])
def test_the_written_out_rows_are_the_templates_byte_for_byte(app: Flask, is_manager: bool) -> None:
    rows = _every_kind_of_row()
    with app.test_request_context():
        before = app.jinja_env.from_string(TEMPLATE_LOOP).render(
            data=SimpleNamespace(returns=rows), is_manager=is_manager)
        after = str(return_rows(rows, is_manager=is_manager))
    assert len(rows) == 144 and before.count("<tr") == 144
    assert after == before
    assert ("&lt;Sons&gt;" in after) and ("<Sons>" not in after)  # values escaped
    assert ("/manager/agencies/1000" in after) is is_manager
