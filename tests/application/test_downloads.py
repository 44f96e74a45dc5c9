"""One slug rule and one Content-Disposition for every download: ASCII always, the name in its
own letters in RFC 6266's filename* when it has letters outside ASCII."""

from __future__ import annotations

import pytest

from portal.downloads import attachment, disposition
from portal.reports.formats import CONTENT_TYPES
from portal.services.common import ascii_slug, file_name, slug
from portal.services.reporting import REPORT_FORMATS
from tests.support.downloads import file_names

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


@pytest.mark.parametrize(("name", "own", "plain"), [
    ("Polska Szkoła Sobotnia", "polska-szkoła-sobotnia", "polska-szkola-sobotnia"),
    ("Ysgol Gymraeg Ŵ", "ysgol-gymraeg-ŵ", "ysgol-gymraeg-w"),
    ("Ærø Straße", "ærø-straße", "aero-strasse"),
    ("  St Mary's -- (Youth) Club  ", "st-mary-s-youth-club", "st-mary-s-youth-club"),
    ("Дитячий садок", "дитячий-садок", ""),
    ("e\u0301cole", "école", "ecole"),  # a decomposed accent is the same letter
])
def test_slugs_keep_the_letters_and_spell_them_plainly_in_ascii(name: str, own: str,
                                                                plain: str) -> None:
    assert slug(name) == own
    assert ascii_slug(name) == plain
    assert ascii_slug(name).isascii()


def test_a_slug_is_cut_to_length_without_a_trailing_hyphen() -> None:
    assert slug("a" * 59 + " b" * 10) == "a" * 59
    assert len(slug("word " * 40)) <= 60
    assert not slug("word " * 40).endswith("-")


def test_a_file_name_leaves_out_empty_parts_and_is_never_empty() -> None:
    assert file_name("mesc-report", "2017-18", None, "", extension="csv") == "mesc-report-2017-18.csv"
    assert file_name("Дитячий", extension="pdf", ascii_only=True) == "download.pdf"
    assert file_name("request", 12, "responses", extension="xlsx") == "request-12-responses.xlsx"


def test_an_ascii_name_has_a_plain_filename_only() -> None:
    response = attachment(b"x", "text/csv", "returns", "2017-18", extension="csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=returns-2017-18.csv"


@pytest.mark.parametrize(("name", "own", "plain"), [
    ("Polska Szkoła Sobotnia", "visit-pack-polska-szkoła-sobotnia.pdf",
     "visit-pack-polska-szkola-sobotnia.pdf"),
    ("Ysgol Gymraeg Ŵ", "visit-pack-ysgol-gymraeg-ŵ.pdf", "visit-pack-ysgol-gymraeg-w.pdf"),
])
def test_a_name_outside_ascii_gets_an_ascii_filename_and_a_utf8_filename_star(
    name: str, own: str, plain: str
) -> None:
    header = attachment(b"%PDF", "application/pdf", "visit-pack", name,
                        extension="pdf").headers["Content-Disposition"]
    header.encode("ascii")  # what a WSGI server can send (gunicorn refuses beyond Latin-1)
    assert file_names(header) == (plain, own)


def test_disposition_quotes_every_byte_a_header_token_cannot_hold() -> None:
    star = disposition("Ŵ; x=\"y\"", extension="pdf")["filename*"]
    assert star.startswith("UTF-8''") and star.isascii()
    assert ";" not in star and '"' not in star and " " not in star


def test_every_report_format_the_lookup_accepts_has_a_renderer() -> None:
    assert set(CONTENT_TYPES) == set(REPORT_FORMATS)
