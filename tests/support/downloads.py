"""Reading a download's Content-Disposition back."""

from __future__ import annotations

from urllib.parse import unquote


def file_names(header: str) -> tuple[str, str | None]:
    """The ASCII filename and the decoded filename* (None when absent) of a Content-Disposition."""
    kind, *pairs = [p.strip() for p in header.split(";")]
    assert kind == "attachment"
    found = dict(p.split("=", 1) for p in pairs)
    star = found.get("filename*")
    if star is None:
        return found["filename"], None
    charset, _, quoted = star.split("'", 2)
    assert charset == "UTF-8"
    return found["filename"], unquote(quoted, encoding="utf-8", errors="strict")
