"""Reading what a user sees on the cycle pages: tables by id, as rows of cell text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bs4 import BeautifulSoup

from tests.support import visible_text


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def text_of(html: str) -> str:
    """The text a user reads on the page, spaces squeezed (`visible_text` of the parsed HTML)."""
    return visible_text(BeautifulSoup(html, "lxml"))


def figures(html: str) -> dict[str, str]:
    """The dashboard's headline figures table as {row heading: value}."""
    return {row[0]: row[1] for row in tables(html)["figures"]}
