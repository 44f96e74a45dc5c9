"""Plain-text emails are laid out line by line (issue 27: "(passed)Final deadline: ...").

The mail templates trim the newline after a block tag, so a line that ends in `{% endif %}`
after some text is glued to the next line."""

from __future__ import annotations

import re

import pytest

from portal.paths import TEMPLATES
from portal.services.mail import render_email

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

GLUING = re.compile(r"\S.*\{%-?\s*(endif|endfor|else|elif)\b[^%]*%\}\s*$")


def test_a_chaser_past_both_deadlines_gives_each_fact_its_own_line() -> None:
    email = render_email(
        "chaser", to="lead@example.org", subject="Your Compact Audit return is overdue",
        body="Dear Ann,\n\nYour return is overdue.", paragraphs=["Dear Ann,", "Your return is overdue."],
        agency="Riverside Youth Club", cycle_label="2026-27", deadline="31 January 2027",
        final_deadline="28 February 2027", final=True, link="https://audit.example.org/agency/",
        deadline_passed=True, final_passed=True, partnership="Anyshire", help_email="help@example.org",
        missed_cycle=None, short_tool=False)
    lines = email.text.splitlines()
    assert "Deadline: 31 January 2027 (passed)" in lines
    assert "Final deadline: 28 February 2027 (passed)" in lines
    assert lines[lines.index("Final deadline: 28 February 2027 (passed)") + 1].startswith(
        "Your return: ")


def test_no_plain_text_template_ends_a_line_of_text_with_a_block_tag() -> None:
    glued = [f"{path.name}:{n}" for path in sorted((TEMPLATES / "email").glob("*.txt"))
             for n, line in enumerate(path.read_text().splitlines(), start=1) if GLUING.match(line)]
    assert glued == []
