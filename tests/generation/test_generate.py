"""Generate the template with several answer sets and run each project's own checks.

This is the template's main guarantee: whatever a user answers, the generated repository
installs, passes `invoke lint` and `invoke test`, and runs its first bot locally.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.template import install, render, run_in

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "self-hosted-312-examples": {
        "project_name": "Acme Care Bots",
        "project_slug": "acme_care-bots",
        "description": 'Bots for "Acme" care: intake & routing',
        "author": "Acme Platform Team",
        "python_version": "3.12",
        "first_bot_name": "intake-router",
        "staging_base_url": "http://localhost:8103",
        "production_base_url": "https://medplum.acme.example/",
        "staging_project_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "production_project_id": "1a2b3c4d-5e6f-7081-9203-a4b5c6d7e8f9",
        "include_sync_examples": True,
    },
    "python-313-single-word-bot": {
        "project_name": "Clinic",
        "python_version": "3.13",
        "first_bot_name": "triage",
        "include_sync_examples": False,
    },
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = VARIANTS[request.param]
    project = render(tmp_path_factory.mktemp(request.param), **answers)
    installed = install(project)
    assert installed.returncode == 0, installed.stderr
    return project


def first_bot(project: Path) -> str:
    config = json.loads((project / "medplum.config.json").read_text())
    name: str = config["bots"][0]["name"]
    return name.removesuffix("-staging")


def test_lint_passes(generated: Path) -> None:
    result = run_in(generated, "invoke", "lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_tests_pass(generated: Path) -> None:
    result = run_in(generated, "invoke", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert "failed" not in result.stdout


def test_first_bot_runs_locally(generated: Path) -> None:
    bot = first_bot(generated)
    result = run_in(
        generated, "invoke", "run", "--name", f"{bot}-staging", "--input", "examples/patient.json"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The bot's printed lines go to stderr, its JSON result alone to stdout (pipe-able).
    assert "Hello Jane Doe!" in result.stderr
    assert result.stdout.strip() == "true"


def test_first_bot_reads_input_from_stdin(generated: Path) -> None:
    bot = first_bot(generated)
    patient = {"resourceType": "Patient", "name": [{"given": ["Ada"], "family": "Lovelace"}]}
    result = run_in(
        generated,
        "invoke",
        "run",
        "--name",
        f"{bot}-production",
        "--input",
        "-",
        input=json.dumps(patient),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hello Ada Lovelace!" in result.stderr


def test_env_files_are_ignored_but_the_example_is_not(generated: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=generated, check=True)
    for name in (".env", ".env.staging", ".env.production"):
        (generated / name).write_text("MEDPLUM_CLIENT_SECRET=x\n")
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=generated)
        assert ignored.returncode == 0, f"{name} is not ignored"
    kept = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=generated)
    assert kept.returncode == 1, ".env.example must stay tracked"
    for name in (".env", ".env.staging", ".env.production"):
        (generated / name).unlink()


def test_staging_and_production_share_source_and_dist(generated: Path) -> None:
    config = json.loads((generated / "medplum.config.json").read_text())
    bot = first_bot(generated)
    entries = {entry["name"]: entry for entry in config["bots"]}
    staging, production = entries[f"{bot}-staging"], entries[f"{bot}-production"]
    assert staging["source"] == production["source"]
    assert staging["dist"] == production["dist"]
    assert (generated / staging["source"]).is_file()
    assert staging["environment"] == "staging"
    assert production["environment"] == "production"
    assert set(config["environments"]) == {"staging", "production"}
