"""A name that starts with ``_`` stays in its module: one that another module needs becomes
public (docs/architecture.md, "Layout"). ruff's SLF001 sees ``module._name`` only; this scan
reads every module under ``src``, ``tests`` and ``bench`` and fails on ``from … import _name``
out of the project's own packages.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("sciaticare", "bench", "tests")


def private_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, `module.name`) of each private name a module imports from the project."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level == 0 and module.split(".")[0] not in OURS:
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                yield node.lineno, f"{'.' * node.level}{module}.{alias.name}"


def test_no_module_imports_another_modules_private_name():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}: make it public or stop importing it"
        for folder in ("src", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, name in private_imports(path.read_text())
    ]

    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from sciaticare.outcomes.selectors import _needs_review\n",
        "def world():\n    from bench.booking_contention import _write_world as make\n",
        "from tests.intake.test_services import clinic, _odi\n",
        "from .selectors import _needs_review\n",
    ],
)
def test_the_scan_sees_a_private_name_imported(source):
    assert len(list(private_imports(source))) == 1


def test_the_scan_leaves_public_names_dunders_and_other_packages():
    source = (
        "from sciaticare.outcomes.selectors import relief_for\n"
        "from sciaticare import __version__\n"
        "from django.db.models.sql import _private\n"
    )

    assert list(private_imports(source)) == []
