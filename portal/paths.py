"""Where the portal's files are: in the checkout, or in the installed wheel.

The checkout keeps templates/, migrations/ and the built GOV.UK Frontend (node_modules) beside the
portal package; the wheel carries them inside it, under portal/_bundled/ (setup.py maps them)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _located(bundled: str, in_checkout: str) -> Path:
    installed = PACKAGE / "_bundled" / bundled
    return installed if installed.is_dir() else PACKAGE.parent / in_checkout


TEMPLATES = _located("templates", "templates")
MIGRATIONS = _located("migrations", "migrations")
GOVUK_FRONTEND = _located("govuk", "node_modules/govuk-frontend/dist/govuk")
OWN_STATIC = PACKAGE / "static"

# The public survey's URL prefix: no session, no address or browser in any log (issue 26; the
# same prefix is in gunicorn.conf.py). /survey-results/ is signed-in staff's, and not under it.
SURVEY_PREFIX = "/survey/"
