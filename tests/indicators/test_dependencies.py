"""Dependencies point one way: the domain apps register their measures with indicators, never back."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["alliance", "observatories", "training"]  # training -> observatories -> alliance


def imported_apps(app):
    """(file, top-level package) of every import in ``app``'s Python files, migrations aside."""
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                yield from ((path.relative_to(ROOT), alias.name.split(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path.relative_to(ROOT), node.module.split(".")[0]


def test_indicators_imports_no_domain_app():
    assert [(str(path), package) for path, package in imported_apps("indicators") if package in ORDER] == []


@pytest.mark.parametrize("app", ORDER)
def test_a_domain_app_imports_only_the_apps_it_depends_on(app):
    later = ORDER[ORDER.index(app) + 1:]
    assert [(str(path), package) for path, package in imported_apps(app) if package in later] == []
