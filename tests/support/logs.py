"""Capture the portal's JSON log lines (as production writes them) during a test."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from portal.observability import JsonFormatter, RequestFields

LOGGERS = ("portal.requests", "flask-limiter")  # INFO lines the root's WARNING level would drop


@contextmanager
def json_log() -> Iterator[list[dict[str, Any]]]:
    """Yields a list that holds, once the block ends, every line logged in it, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestFields())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    root.addHandler(handler)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())
