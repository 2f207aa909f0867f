"""Imports run one way: pure helpers and the searches import no models, so models, the importer,
migrations and tests can all use them, and the trial queryset can take its search methods from
trials/search.py without a cycle."""

import ast
import importlib.util
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]

IMPORT_NO_MODELS = [
    "trials.choices",
    "trials.nct",
    "trials.masking",
    "trials.eligibility",
    "trials.vocabulary",
    "trials.changes",
    "trials.groups",
    "trials.search",
    "trials.wordsearch",
    "trials.results.data",
    "plain.names",
    "plain.writer",
]


def _is_ours(module: str) -> bool:
    spec = importlib.util.find_spec(module.split(".")[0])
    return spec is not None and spec.origin is not None and ROOT in Path(spec.origin).parents


def _source(module: str) -> Path | None:
    """The file of one of this project's modules; None for anything else."""
    if not _is_ours(module):
        return None
    try:
        spec = importlib.util.find_spec(module)
    except ImportError:  # a name inside a module (`from .models import Trial`)
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _imported_by(module: str) -> set[str]:
    """The modules of this project that `module` imports, at the top or inside a function."""
    path = _source(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            # `from . import data` imports a module.
            found.update(f"{base}.{a.name}" for a in node.names if _source(f"{base}.{a.name}"))
    with_parents = {".".join(m.split(".")[:i]) for m in found for i in range(1, m.count(".") + 2)}
    return {m for m in with_parents if _source(m)}


def everything_imported_by(module: str) -> set[str]:
    seen, waiting = set(), [module]
    while waiting:
        current = waiting.pop()
        if current not in seen:
            seen.add(current)
            waiting += _imported_by(current)
    return seen - {module}


@pytest.mark.parametrize("module", IMPORT_NO_MODELS)
def test_pure_helpers_and_the_searches_import_no_models(module):
    defined = {model.__module__ for model in apps.get_models()}
    imported = everything_imported_by(module)
    assert not imported & defined, f"{module} imports models through {sorted(imported)}"
    assert "trials.models" not in imported


def test_the_walk_sees_models_where_they_are_imported():
    # The check above can fail: a module that reads a model is caught.
    assert "trials.models" in everything_imported_by("trials.forms")
    assert "trials.synonyms" in everything_imported_by("trials.ranking")
