"""Markup written out in Python for long lists (portal/filters.py) is byte for byte what the
GOV.UK macros write: a tag (the cycle dashboard's return list shows one to three a row)."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.filters import govuk_tag

TAG = ('{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
       '{{ govukTag({"text": text, "classes": classes}) }}')


@pytest.mark.parametrize(("text", "classes"), [
    ("Not started", "govuk-tag--grey"), ("Carried over", "govuk-tag--orange"),
    ("Chair & <board>", "govuk-tag--red"), ("Submitted", ""),
])
def test_a_written_out_tag_is_the_govuk_macros_markup(app: Flask, text: str, classes: str) -> None:
    with app.test_request_context():
        macro = app.jinja_env.from_string(TAG).render(text=text, classes=classes)
        written = app.jinja_env.from_string("{{ govuk_tag(text, classes) }}").render(
            text=text, classes=classes)
    assert written == macro == str(govuk_tag(text, classes))
