"""The public surface generated repositories use, pinned (like httpx's exported-members test).

`public_surface.json` lists it: modules and the names taken from them, and the invoke tasks
with their flags. A change here that the file does not record fails, so it is made on purpose.
"""

from __future__ import annotations

import ast
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import medplum_bots
from medplum_bots.tasks import namespace

SURFACE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "public_surface.json").read_text(encoding="utf-8")
)


def test_the_top_level_exports_exactly_its_all() -> None:
    exported = {
        name
        for name in dir(medplum_bots)
        if not name.startswith("_")
        and getattr(getattr(medplum_bots, name), "__module__", "").startswith("medplum_bots")
    }
    # InMemoryMedplum is loaded on first use (module __getattr__), so dir() does not show it.
    assert exported | {"InMemoryMedplum"} == set(medplum_bots.__all__)
    assert sorted(medplum_bots.__all__) == SURFACE["modules"]["medplum_bots"]


@pytest.mark.parametrize("module", sorted(SURFACE["modules"]))
def test_every_pinned_name_is_there(module: str) -> None:
    imported = importlib.import_module(module)
    names = SURFACE["modules"][module]
    if names == "*":
        names = imported.__all__
        assert names, module
    for name in names:
        assert getattr(imported, name, None) is not None, f"{module}.{name}"


def test_the_tasks_and_their_flags_are_the_pinned_ones() -> None:
    tasks = {
        name: [list(argument.names) for argument in task.get_arguments()]
        for name, task in sorted(namespace.tasks.items())
    }
    assert tasks == SURFACE["tasks"]
    assert not namespace.collections  # one level: `invoke deploy`, not `invoke medplum.deploy`


def test_the_tasks_import_only_the_package_and_invoke() -> None:
    """A task module importing the template (or a project's code) would break in a project."""
    folder = Path(medplum_bots.__file__).parent / "tasks"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                top = node.names[0].name.split(".")[0]
            else:
                continue
            allowed = {"medplum_bots", "invoke", "uvicorn", "__future__"}
            assert top in allowed or top in sys.stdlib_module_names, f"{path.name}: {top}"
