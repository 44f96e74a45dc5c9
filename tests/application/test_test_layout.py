"""The test suite's own house rules (issue 23): shared helpers live in tests/support or in
fixtures, so no test module imports from another test module or from a conftest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

TESTS = Path(__file__).resolve().parents[1]


def _imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    found += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
              for alias in node.names]
    return found


def test_no_test_module_imports_from_another_test_module_or_a_conftest() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for module in _imports_of(path)
        if module.startswith("tests.") and not module.startswith("tests.support")
    ]
    assert offenders == []


def test_the_rule_sees_an_import_from_a_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_example.py"
    module.write_text("from tests.reports.test_return_pdf import document\nimport tests.web.x\n")
    assert _imports_of(module) == ["tests.reports.test_return_pdf", "tests.web.x"]
