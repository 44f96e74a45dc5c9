"""The house limits on size (STYLE.md): no function over 50 lines, no module over 450, in the app's
own code (portal/ and forms/)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.processes import ROOT

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

MAX_FUNCTION_LINES = 50
MAX_MODULE_LINES = 450


def _modules() -> list[Path]:
    return sorted(p for top in ("portal", "forms") for p in (ROOT / top).rglob("*.py"))


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """Every function (methods and nested ones too) longer than `limit` lines, from `def` to its
    last line, with its length."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def test_the_check_reads_the_app_code() -> None:
    assert len(_modules()) > 100
    assert ROOT / "portal" / "web.py" in _modules()


def test_no_function_is_over_50_lines() -> None:
    too_long = [f"{path.relative_to(ROOT)}:{name} ({lines} lines)"
                for path in _modules() for name, lines in long_functions(path.read_text())]
    assert too_long == []


def test_no_module_is_over_450_lines() -> None:
    too_long = [f"{path.relative_to(ROOT)} ({lines} lines)" for path in _modules()
                if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES]
    assert too_long == []


def test_a_long_function_is_found_even_inside_a_class() -> None:
    body = "\n".join(f"        x{n} = {n}" for n in range(50))
    source = f"class A:\n    def short(self):\n        pass\n\n    def long(self):\n{body}\n"

    assert long_functions(source) == [("long", 51)]
    assert long_functions(source, limit=51) == []
