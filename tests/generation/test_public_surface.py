"""Generated projects use only the public surface medplum-bots pins.

The package's tests/public_surface.json lists what generated repositories may use (modules,
names, tasks); the package's own test checks it provides all of it. Here every Python import
and every dotted reference (Dockerfile, docs, workflows) of a generated project, with the
optional examples and a bot made by `invoke new`, must be in that list: a template change
that reaches into the package's internals fails here, not in a user's repository after a
tooling update.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path
from typing import Any

from medplum_bots.scaffold import new_bot

from tests.template import ROOT, render

SURFACE: dict[str, Any] = json.loads(
    (ROOT / "packages/medplum-bots/tests/public_surface.json").read_text(encoding="utf-8")
)
MODULES: dict[str, list[str] | str] = SURFACE["modules"]
REFERENCE = re.compile(r"\bmedplum_bots(?:\.\w+)+(?::\w+)?")


def allowed(module: str, name: str | None) -> bool:
    """`name` of `module` (or the module itself, `name` None) is on the pinned surface."""
    if name is not None and f"{module}.{name}" in MODULES:
        return True  # a module imported from its package: `from medplum_bots import testing`
    if module not in MODULES:
        return False
    names = MODULES[module]
    if names == "*":
        names = importlib.import_module(module).__all__
    return name is None or name in names


def python_uses(path: Path) -> list[tuple[str, str | None]]:
    uses: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "medplum_bots":
                uses += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            uses += [(a.name, None) for a in node.names if a.name.split(".")[0] == "medplum_bots"]
    return uses


def text_uses(text: str) -> list[tuple[str, str | None]]:
    """`medplum_bots.a.b:c` and `medplum_bots.a.b.c` as (module, name) or (module, None)."""
    uses: list[tuple[str, str | None]] = []
    for reference in REFERENCE.findall(text):
        if ":" in reference:
            module, name = reference.split(":")
            uses.append((module, name))
        elif reference in MODULES:
            uses.append((reference, None))
        else:
            module, _, name = reference.rpartition(".")
            uses.append((module, name))
    return uses


def test_a_generated_project_uses_nothing_but_the_pinned_surface(tmp_path: Path) -> None:
    project = render(tmp_path, include_sync_examples=True)
    new_bot("lab-results", project / "medplum.config.json")
    found: dict[str, list[tuple[str, str | None]]] = {}
    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        relative = str(path.relative_to(project))
        if path.suffix == ".py":
            found[relative] = python_uses(path)
        elif path.suffix in (".md", ".yml", ".toml", ".json", "") or path.name == "Dockerfile":
            found[relative] = text_uses(path.read_text(encoding="utf-8"))

    outside = [
        f"{relative}: {module}{'.' + name if name else ''}"
        for relative, uses in found.items()
        for module, name in uses
        if not allowed(module, name)
    ]
    assert outside == []
    # The scan sees what it should: the tasks, a bot's imports, the Dockerfile's app.
    assert ("medplum_bots.tasks", "namespace") in found["tasks.py"]
    assert ("medplum_bots", "BotEvent") in found["src/bots/lab_results.py"]
    assert ("medplum_bots.runtime.http_app", "app_from_env") in found["Dockerfile"]


def test_the_scan_refuses_an_internal_import() -> None:
    assert not allowed("medplum_bots.deploy.orchestrate", "deploy")
    assert not allowed("medplum_bots.config", "load_config")
    assert not allowed("medplum_bots.fhir", "NotAType")
    assert allowed("medplum_bots.fhir", "Patient")
    assert text_uses("uvicorn --factory medplum_bots.runtime.http_app:app_from_env") == [
        ("medplum_bots.runtime.http_app", "app_from_env")
    ]
