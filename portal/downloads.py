"""Every file the portal sends to download: one response, named safely for any agency or sector.

The file name is built from its parts by the one slug rule (portal.services.common.file_name).
`Content-Disposition` carries an ASCII `filename` (the accents spelled plainly) and, when the
name has other letters, RFC 6266's `filename*=UTF-8''...` with the name in its own letters, which
browsers prefer. A header is therefore always ASCII, as a WSGI server requires: a name outside
Latin-1 written into the header as it is makes gunicorn fail the response."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from portal.services.common import file_name

PDF = "application/pdf"
CSV = "text/csv"
RFC5987_SAFE = "!#$&+-.^_`|~"  # attr-char, besides letters and digits


def disposition(*parts: str | int | None, extension: str) -> dict[str, str]:
    """The attachment's file-name parameters: `filename`, and `filename*` when not ASCII."""
    plain = file_name(*parts, extension=extension, ascii_only=True)
    named = file_name(*parts, extension=extension)
    if named == plain:
        return {"filename": plain}
    return {"filename": plain, "filename*": f"UTF-8''{quote(named, safe=RFC5987_SAFE)}"}


def attachment(content: bytes | str, mimetype: str, *parts: str | int | None,
               extension: str) -> Response:
    """A download of `content`, named by `parts` (each slugged, joined by hyphens): attachment(pdf,
    PDF, "visit-pack", agency.name, extension="pdf") is visit-pack-polska-szkoła-sobotnia.pdf."""
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment",
                         **disposition(*parts, extension=extension))
    return response
