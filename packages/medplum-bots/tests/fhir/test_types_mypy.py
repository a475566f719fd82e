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

CLIENT = """
    from typing import TYPE_CHECKING, Any, assert_type

    from medplum_bots import AsyncMedplumClient, BotEvent, MedplumClient

    if TYPE_CHECKING:
        from medplum_bots.fhir import Bot, Observation, Patient, ResourceType


    def sync(medplum: MedplumClient, event: BotEvent["Patient"]) -> None:
        assert_type(event.input, "Patient")
        patient = medplum.read_resource("Patient", "1")
        assert_type(patient, "Patient")
        assert_type(medplum.read_version("Patient", "1", "2"), "Patient")
        assert_type(medplum.search_one("Observation", {"code": "x"}), "Observation | None")
        assert_type(medplum.search_resources("Observation"), "list[Observation]")
        for page in medplum.search_resource_pages("Bot", "name=x"):
            assert_type(page, "list[Bot]")
        assert_type(medplum.patch_resource("Bot", "1", [], idempotent=True), "Bot")
        assert_type(medplum.create_resource(patient), "Patient")
        assert_type(medplum.update_resource(patient), "Patient")
        assert_type(medplum.create_resource_if_none_exist(patient, "x=1"), "Patient")
        assert_type(medplum.create_resource({"resourceType": "Patient"}), dict[str, Any])
        kind: "ResourceType" = "Patient"
        medplum.read_resource(kind, "1")["id"]
        medplum.search(kind)
        medplum.delete_resource("Patient", "1")


    async def aio(medplum: AsyncMedplumClient, event: BotEvent) -> None:
        assert_type(event.input, Any)
        assert_type(await medplum.read_resource("Patient", "1"), "Patient")
        assert_type(await medplum.search_resources("Observation"), "list[Observation]")
        async for page in medplum.search_resource_pages("Bot"):
            assert_type(page, "list[Bot]")
        assert_type(await medplum.patch_resource("Bot", "1", []), "Bot")
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
    "typo in a read resource": "def f(m: MedplumClient) -> object:\n"
    '    return m.read_resource("Patient", "1")["nmae"]\n',
    "typo in a typed input": 'def f(e: BotEvent[Patient]) -> object:\n    return e.input["nmae"]\n',
    "unknown resource type name": "def f(m: MedplumClient) -> object:\n"
    '    return m.read_resource("Patinet", "1")\n',
    "unknown type in an async search": "async def f(m: AsyncMedplumClient) -> object:\n"
    '    return await m.search_resources("Obsrvation")\n',
    "any string as resource type": "def f(m: MedplumClient, kind: str) -> object:\n"
    "    return m.search_one(kind)\n",
    "wrong key in a searched resource": "def f(m: MedplumClient) -> object:\n"
    '    return [o["valueStrin"] for o in m.search_resources("Observation")]\n',
}
HEADER = (
    "from medplum_bots import AsyncMedplumClient, BotEvent, MedplumClient\n"
    "from medplum_bots.fhir import Observation, Patient\n\n"
)


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


def test_client_calls_are_typed_by_resource_type(shared_tmp: Path) -> None:
    done = _mypy(shared_tmp, textwrap.dedent(CLIENT), "typed_client")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(BAD))
def test_mistake_fails(shared_tmp: Path, name: str) -> None:
    done = _mypy(shared_tmp, HEADER + BAD[name], "bad_" + name.replace(" ", "_"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error:" in done.stdout
