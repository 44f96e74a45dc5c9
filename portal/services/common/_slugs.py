"""File names from people's names: one slug rule, for downloads and emailed attachments.

A slug keeps letters and digits (any script), lower-cased, and turns every run of anything else
into one hyphen: "Polska Szkoła Sobotnia" is "polska-szkoła-sobotnia". The ASCII slug spells the
same letters without accents ("polska-szkola-sobotnia"), for the plain `filename` a browser falls
back on and for headers that must be ASCII; letters with no ASCII spelling are dropped."""

from __future__ import annotations

import re
import unicodedata

SLUG_LENGTH = 60
# Letters that Unicode does not decompose into an ASCII letter and a mark.
_SPELLED = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h",
                          "Ħ": "H", "\u0131": "i", "ŀ": "l", "Ŀ": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})
_NOT_WORD = re.compile(r"[\W_]+")


def slug(text: str, *, length: int = SLUG_LENGTH) -> str:
    """The text as a file-name part in its own letters: "Ysgol Gymraeg Ŵ" is "ysgol-gymraeg-ŵ"."""
    folded = _NOT_WORD.sub("-", unicodedata.normalize("NFC", text).lower())
    return folded.strip("-")[:length].strip("-")


def ascii_slug(text: str, *, length: int = SLUG_LENGTH) -> str:
    """The slug in ASCII letters only: "Ysgol Gymraeg Ŵ" is "ysgol-gymraeg-w"."""
    spelled = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return slug(spelled.encode("ascii", "ignore").decode("ascii"), length=length)


def file_name(*parts: str | int | None, extension: str, ascii_only: bool = False) -> str:
    """A file name from its parts, each slugged and joined by hyphens; empty parts are left out:
    file_name("visit-pack", "Polska Szkoła", extension="pdf") is "visit-pack-polska-szkoła.pdf"."""
    make = ascii_slug if ascii_only else slug
    stem = "-".join(s for s in (make(str(p)) for p in parts if p is not None) if s)
    return f"{stem or 'download'}.{extension}"
