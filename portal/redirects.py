"""Redirects never reflect an unbounded query: a Location header over the bound (a 120 KB query
value carried into sign-in's `next`, or into the HTTPS redirect) keeps only the short query
values, or none, so no proxy turns the redirect into a 502 and the user still lands somewhere."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask
from werkzeug.wrappers import Response

MAX_VALUE = 2048  # a reflected query value longer than this is dropped
MAX_LOCATION = 4096  # and a Location still longer than this loses its whole query


def register_redirect_bounds(app: Flask) -> None:
    @app.after_request
    def bound_location(response: Response) -> Response:
        location = response.headers.get("Location")
        if location and len(location) > MAX_VALUE:
            response.headers["Location"] = bounded(location)
        return response


def bounded(location: str) -> str:
    """The location without query values over MAX_VALUE, without any query if still too long,
    and the site's home page if even the path is too long."""
    parts = urlsplit(location)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if len(k) + len(v) <= MAX_VALUE]
    shorter = urlunsplit(parts._replace(query=urlencode(kept), fragment=""))
    if len(shorter) <= MAX_LOCATION:
        return shorter
    without_query = urlunsplit(parts._replace(query="", fragment=""))
    return without_query if len(without_query) <= MAX_LOCATION else "/"
