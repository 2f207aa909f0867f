"""Imports between the apps run one way: the relay builds on subscriptions, subscriptions on
trials, and all of them on the site-wide core. No app imports one that builds on it; a page of
a lower app shows a higher app's form through that app's template tag (`{% contact_form %}`,
`{% subscribe_form %}`)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Each app, and the apps below it that must never import it.
BELOW = {
    "relay": ["subscriptions", "trials", "core"],
    "subscriptions": ["trials", "core"],
}


def imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize(
    ("upper", "app"), [(upper, app) for upper, apps in BELOW.items() for app in apps]
)
def test_the_apps_below_an_app_never_import_it(upper, app):
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module == upper or module.startswith(f"{upper}.")
    ]
    assert found == []
