"""The shape of the code: no import cycles anywhere in the app, rules grouped by capability.

The layer contracts themselves are import-linter's (pyproject.toml, run by `make test`); these tests
cover what a contract cannot say.
"""

from __future__ import annotations

import grimp
import pytest

from tests.support.processes import ROOT

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

PACKAGES = ("portal", "forms", "config")
SERVICES = ROOT / "portal" / "services"


def _modules_in_loops(graph: grimp.ImportGraph, modules: set[str]) -> list[str]:
    """Every module that can reach itself by following imports (so it is part of a cycle)."""
    def imports_of(module: str) -> set[str]:
        return graph.find_modules_directly_imported_by(module) & modules

    looped = []
    for start in sorted(modules):
        seen: set[str] = set()
        frontier = imports_of(start)
        while frontier and start not in seen:
            seen |= frontier
            frontier = {n for m in frontier for n in imports_of(m)} - seen
        if start in seen:
            looped.append(start)
    return looped


def test_no_two_modules_of_the_app_import_each_other_even_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES)
    modules = {m for m in graph.modules if m.split(".")[0] in PACKAGES}
    assert _modules_in_loops(graph, modules) == []


def test_cycle_finder_sees_a_loop() -> None:
    """The check above can fail: a graph with a three-module loop is reported."""
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=a, imported=b)
    assert _modules_in_loops(graph, {"p.a", "p.b", "p.c", "p.d"}) == ["p.a", "p.b", "p.c"]


def test_every_rule_lives_in_a_capability_package() -> None:
    loose = sorted(p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    for package in (p for p in SERVICES.iterdir() if p.is_dir() and p.name != "__pycache__"):
        assert (package / "__init__.py").exists(), package.name
        modules = [p.name for p in package.glob("*.py") if p.name != "__init__.py"]
        assert all(name.startswith("_") for name in modules), (package.name, modules)
