"""The generated types catch mistakes under ``mypy --strict``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fhir.oracle import PACKAGE_ROOT

GOOD = """
    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        from medplum_bots.fhir import Bot, Observation, Patient, ResourceType


    def family(patient: "Patient") -> str:
        return patient["name"][0].get("family", "")


    def make() -> "Patient":
        return {
            "resourceType": "Patient",
            "name": [{"given": ["Alice"], "family": "Smith"}],
            "birthDate": "1990-01-01",
            "_birthDate": {"extension": [{"url": "https://example.org/x", "valueString": "y"}]},
            "contained": [{"resourceType": "Organization", "id": "o"}],
        }


    def obs() -> "Observation":
        return {"resourceType": "Observation", "status": "final", "code": {"text": "x"},
                "valueQuantity": {"value": 1.5, "unit": "kg"}}


    def bot() -> "Bot":
        return {"resourceType": "Bot", "name": "b", "runtimeVersion": "awslambda", "timeout": 9}


    KIND: "ResourceType" = "ProjectMembership"
"""

BAD = {
    "typo in key": 'def f(p: "Patient") -> object:\n    return p["nmae"]\n',
    "missing required key": (
        'o: "Observation" = {"resourceType": "Observation", "status": "final"}\n'
    ),
    "wrong resourceType": 'p: "Patient" = {"resourceType": "Observation"}\n',
    "wrong value type": 'p: "Patient" = {"resourceType": "Patient", "active": "yes"}\n',
    "unknown choice key": 'o: "Observation" = {"resourceType": "Observation", "status": "final",'
    ' "code": {}, "valueStrin": "x"}\n',
}
HEADER = "from medplum_bots.fhir import Observation, Patient\n\n"


def _mypy(tmp_path: Path, source: str, module: str) -> subprocess.CompletedProcess[str]:
    # One file per case: mypy's cache trusts a file of unchanged size and mtime.
    path = tmp_path / f"{module}.py"
    path.write_text(source, encoding="utf-8")
    env = dict(os.environ, MYPYPATH=str(PACKAGE_ROOT / "src"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )


@pytest.fixture(scope="module")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy")  # one cache: the types module is analysed once


def test_correct_module_passes(shared_tmp: Path) -> None:
    done = _mypy(shared_tmp, textwrap.dedent(GOOD), "good_bot")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(BAD))
def test_mistake_fails(shared_tmp: Path, name: str) -> None:
    done = _mypy(shared_tmp, HEADER + BAD[name], "bad_" + name.replace(" ", "_"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error:" in done.stdout
