"""The relay builds on subscriptions and trials: imports run one way, so neither of them (nor
the site-wide core) imports it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("app", ["subscriptions", "trials", "core"])
def test_the_apps_below_the_relay_never_import_it(app):
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module == "relay" or module.startswith("relay.")
    ]
    assert found == []
