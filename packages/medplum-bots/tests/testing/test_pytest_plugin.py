"""The pytest plugin, run as a user runs it: pytest in a subprocess on a small test folder,
in memory and with `--medplum staging` against the stand-in over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID, medplum_standin
from medplum_standin.server import MedplumStandIn

from medplum_bots.testing.fixtures import fixture_resources
from medplum_bots.testing.live import TEST_RUN_SYSTEM

__all__ = ["medplum_standin"]  # the fixture

# The same tests, meant to pass in memory and on a server.
PORTABLE_TESTS = """
import pytest

pytestmark = pytest.mark.medplum_fixtures("simpsons")


def test_fixture_set_is_there(medplum, medplum_fixtures):
    homer = medplum_fixtures.reference("Patient/homer-simpson")["reference"]
    found = medplum.search_resources("Observation", {"subject": homer})
    assert len(found) == 8
    report_id = medplum_fixtures.id("DiagnosticReport/homer-lipid-panel")
    report = medplum.read_resource("DiagnosticReport", report_id)
    assert {r["reference"] for r in report["result"]} == {
        medplum_fixtures.reference(f"Observation/homer-{k}")["reference"]
        for k in ("total-cholesterol", "hdl", "ldl", "triglycerides")
    }


def test_writes_a_patient(medplum, request):
    patient = medplum.create_resource(
        {"resourceType": "Patient", "name": [{"family": "Isolated", "given": ["Isa"]}]}
    )
    assert medplum.read_resource("Patient", patient["id"])["name"][0]["family"] == "Isolated"
    tags = [t.get("system") for t in (patient.get("meta") or {}).get("tag", [])]
    if request.config.getoption("medplum"):
        assert "{system}" in tags
    else:
        assert tags == []


def test_sees_no_patient_of_another_test(medplum):
    assert medplum.search_resources("Patient", {"family": "Isolated"}) == []


async def test_async_client_shares_the_server(async_medplum, medplum):
    patient = {"resourceType": "Patient", "name": [{"family": "Async"}]}
    created = await async_medplum.create_resource(patient)
    assert medplum.read_resource("Patient", created["id"])["name"][0]["family"] == "Async"
    binary = medplum.create_binary(b"hello", "text/plain")
    assert binary["contentType"] == "text/plain"


async def greet(medplum, event):
    print(f"Hello {event.input['name'][0]['family']}")
    ran = {"resourceType": "Patient", "name": [{"family": "Ran"}]}
    return (await medplum.create_resource(ran))["id"]


def test_runs_as_deployed(medplum_execute, medplum):
    result = medplum_execute(greet, {"resourceType": "Patient", "name": [{"family": "Deployed"}]})
    assert result.ok, result.outcome
    assert result.logs == ["Hello Deployed"]
    assert medplum.read_resource("Patient", result.result)["name"][0]["family"] == "Ran"


def test_inspects_memory(medplum, medplum_inmemory):
    medplum.create_resource({"resourceType": "Patient", "name": [{"family": "Seen"}]})
    assert [p["name"][0]["family"] for p in medplum_inmemory.all("Patient")].count("Seen") == 1
""".replace("{system}", TEST_RUN_SYSTEM)

UNMARKED = """
def test_no_marker_no_data(medplum):
    assert medplum.search_resources("Patient", {"family": "Simpson"}) == []


def test_default_set_on_request(medplum_fixtures, medplum):
    assert medplum_fixtures.name == "simpsons"
    assert len(medplum.search_resources("Patient", {"family": "Simpson"})) == 4
"""


@dataclass
class Run:
    code: int
    outcomes: dict[str, str]  # test name -> passed / failed / skipped / error
    output: str
    messages: dict[str, str]


def run_pytest(folder: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    report = folder / "report.xml"
    clean = {k: v for k, v in os.environ.items() if "MEDPLUM" not in k}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}", *args],
        cwd=folder,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    if report.exists():
        for case in ET.parse(report).iter("testcase"):
            name = case.get("name", "")
            outcome = "passed"
            for child in case:
                if child.tag in ("failure", "error", "skipped"):
                    outcome = "failed" if child.tag == "failure" else child.tag
                    messages[name] = child.get("message", "") + (child.text or "")
            # a teardown error after a pass is reported as an error of the same test
            outcomes[name] = outcome
    return Run(done.returncode, outcomes, done.stdout + done.stderr, messages)


def make_folder(root: Path, base_url: str = "https://medplum.example/") -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    (root / "tests" / "test_portable.py").write_text(PORTABLE_TESTS)
    environment = {
        "baseUrl": base_url,
        "projectId": PROJECT_ID,
        "credentials": {"prefix": "STAGING_", "envFile": ".env.staging"},
    }
    config = {"bots": [], "environments": {"staging": environment}}
    (root / "medplum.config.json").write_text(json.dumps(config))
    return root


def credentials(secret: str = CLIENT_SECRET) -> dict[str, str]:
    return {"STAGING_MEDPLUM_CLIENT_ID": CLIENT_ID, "STAGING_MEDPLUM_CLIENT_SECRET": secret}


PORTABLE = (
    "test_fixture_set_is_there",
    "test_writes_a_patient",
    "test_sees_no_patient_of_another_test",
    "test_async_client_shares_the_server",
    "test_runs_as_deployed",
)


def test_in_memory(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    (folder / "tests" / "test_unmarked.py").write_text(UNMARKED)

    run = run_pytest(folder)

    assert run.code == 0, run.output
    assert run.outcomes == {
        **dict.fromkeys(PORTABLE, "passed"),
        "test_inspects_memory": "passed",
        "test_no_marker_no_data": "passed",
        "test_default_set_on_request": "passed",
    }


def test_same_tests_on_a_server_then_removed(
    tmp_path: Path, medplum_standin: MedplumStandIn
) -> None:
    folder = make_folder(tmp_path, medplum_standin.base_url)
    medplum_standin.seed({"resourceType": "Patient", "name": [{"family": "Teamdata"}]}, PROJECT_ID)

    run = run_pytest(folder, "--medplum", "staging", env=credentials())

    assert run.code == 0, run.output
    assert run.outcomes == {
        **dict.fromkeys(PORTABLE, "passed"),
        "test_inspects_memory": "skipped",
    }
    assert "not available with --medplum" in run.messages["test_inspects_memory"]
    assert f"environment 'staging' at {medplum_standin.base_url}" in run.output
    # Everything the tests created is gone; the team's own patient is not.
    kinds = {r["resourceType"] for r in fixture_resources()} | {"Patient", "Binary"}
    left = {kind: medplum_standin.store.all(kind) for kind in kinds}
    assert [p["name"][0]["family"] for p in left.pop("Patient")] == ["Teamdata"]
    assert {kind: rows for kind, rows in left.items() if rows} == {}
    created = [r for r in medplum_standin.requests if r.method == "POST" and r.status == 201]
    deleted = [r for r in medplum_standin.requests if r.method == "DELETE" and r.status == 200]
    # The set for each of the 6 marked tests (the skipped one loads it before skipping),
    # 3 patients and 1 Binary: each deleted once.
    assert len(created) == len(deleted) == 6 * len(fixture_resources()) + 4
    assert len({r.path for r in deleted}) == len(deleted)  # none deleted twice
    assert medplum_standin.tokens_issued == 1  # one login for the whole session


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def with_intake_example(folder: Path) -> Path:
    """The intake example bot and its tests, laid out as in this package."""
    (folder / "pytest.ini").write_text((folder / "pytest.ini").read_text() + "pythonpath = .\n")
    (folder / "tests" / "__init__.py").write_text("")
    (folder / "tests" / "examples").mkdir()
    for name in ("__init__.py", "intake_bot.py", "test_intake_bot.py"):
        (folder / "tests" / "examples" / name).write_text((EXAMPLES / name).read_text())
    (folder / "tests" / "test_portable.py").unlink()
    return folder


INTAKE_PORTABLE = (
    "test_the_response_becomes_a_patient_with_observations",
    "test_running_twice_creates_nothing_more",
    "test_no_consent_no_email",
    "test_as_deployed_the_log_names_the_patient",
)
INTAKE_IN_MEMORY = ("test_a_missing_answer_fails_and_writes_nothing",)


def test_an_example_bots_tests_pass_in_memory_and_on_a_server(
    tmp_path: Path, medplum_standin: MedplumStandIn
) -> None:
    offline = run_pytest(with_intake_example(make_folder(tmp_path / "offline")))
    live = run_pytest(
        with_intake_example(make_folder(tmp_path / "live", medplum_standin.base_url)),
        "--medplum",
        "staging",
        env=credentials(),
    )

    assert offline.outcomes == dict.fromkeys(INTAKE_PORTABLE + INTAKE_IN_MEMORY, "passed")
    assert live.outcomes == {
        **dict.fromkeys(INTAKE_PORTABLE, "passed"),
        **dict.fromkeys(INTAKE_IN_MEMORY, "skipped"),
    }, live.output
    # The bot wrote patients and observations on the server; the tests' cleanup removed them.
    written = {r.path.split("/")[3] for r in medplum_standin.requests if r.status == 201}
    assert {"Patient", "Observation", "QuestionnaireResponse"} <= written
    assert [kind for kind in sorted(written) if medplum_standin.store.all(kind)] == []


def test_cleanup_failure_names_the_tag(tmp_path: Path, medplum_standin: MedplumStandIn) -> None:
    folder = make_folder(tmp_path, medplum_standin.base_url)
    medplum_standin.faults.add("DELETE", r"/Patient/", status=403, times=None)

    run = run_pytest(folder, "--medplum", "staging", "-k", "writes_a_patient", env=credentials())

    assert run.code == 1
    assert run.outcomes == {"test_writes_a_patient": "error"}
    message = run.messages["test_writes_a_patient"]
    assert f"_tag={TEST_RUN_SYSTEM}|" in message
    assert "delete Patient/" in message
    assert CLIENT_SECRET not in run.output


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--medplum", "prod"], credentials(), "unknown environment 'prod'"),
        (["--medplum", "staging"], {}, "STAGING_MEDPLUM_CLIENT_ID"),
        (["--medplum", "staging"], credentials("wrong-secret-123"), "Invalid"),
        (
            ["--medplum", "staging", "--medplum-config", "elsewhere/medplum.config.json"],
            credentials(),
            "elsewhere/medplum.config.json: file not found",
        ),
    ],
)
def test_bad_environment_stops_in_one_line(
    tmp_path: Path,
    medplum_standin: MedplumStandIn,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    folder = make_folder(tmp_path, medplum_standin.base_url)

    run = run_pytest(folder, *args, env=env)

    assert run.code == 4  # pytest's usage error: no test ran
    errors = [line for line in run.output.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and expected in errors[0], run.output
    assert "wrong-secret-123" not in run.output
    assert run.outcomes == {}


def test_the_test_task_passes_the_environment_on(
    tmp_path: Path,
    medplum_standin: MedplumStandIn,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """`invoke test --medplum staging`: the task's pytest runs against the environment."""
    from invoke.config import Config
    from invoke.context import Context

    from medplum_bots.tasks.local import test as test_task

    folder = make_folder(tmp_path, medplum_standin.base_url)
    (folder / "tests" / "test_portable.py").write_text(
        "def test_on_staging(medplum, request):\n"
        "    assert request.config.getoption('medplum') == 'staging'\n"
        "    medplum.create_resource({'resourceType': 'Patient'})\n"
    )
    for name, value in credentials().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(folder)

    no_stdin = Config(overrides={"run": {"in_stream": False}})
    test_task(Context(config=no_stdin), k="on_staging", medplum="staging")

    assert "1 passed" in capfd.readouterr().out
    assert medplum_standin.tokens_issued == 1
    assert [
        r.method for r in medplum_standin.requests if r.path.startswith("/fhir/R4/Patient")
    ] == [
        "POST",  # the test's patient
        "GET",  # cleanup: search by the test's tag
        "DELETE",
        "GET",  # nothing left
    ]
