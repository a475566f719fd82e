"""Deploy means the new code runs: Medplum stand-in (forwarder in a Node vm) -> the generic
runtime in its own process (uvicorn) -> exactly the artifact the deployer signed.

No mock between the pieces: `invoke deploy`'s code path deploys to the stand-in, the stand-in
runs the Bot's executable code like Medplum's vmcontext, the forwarder posts to the runtime
over real HTTP, and the runtime runs the artifact the forwarder carries.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from medplum_standin import MedplumStandIn

from medplum_bots.build import bundle
from medplum_bots.deploy.report import FAILED
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_bots.runtime.signing import signature_headers
from tests.runtime.generic import (
    RUNTIME_KEY,
    Project,
    RuntimeProcess,
    carried_artifact,
    forwarder_constant,
    runtime_process,
    served_project,
)

GREETER_V1 = """
    def handler(medplum, event):
        print("greeter v1 ran")
        return {"version": 1, "name": event.input["name"]}
"""
GREETER_V2 = """
    from shared.words import salute


    def handler(medplum, event):
        print("greeter v2 ran")
        return {"version": 2, "name": salute(event.input["name"])}
"""
WORDS = """
    def salute(name):
        return "Dear " + name
"""
LOOPER = """
    import time


    def handler(medplum, event):
        print("looping forever")
        while True:
            time.sleep(0.05)
"""


@pytest.fixture
def project(tmp_path: Path, standin: MedplumStandIn) -> Iterator[Project]:
    with served_project(tmp_path, standin) as (made, runtime):
        made.runtime = runtime  # type: ignore[attr-defined]
        yield made


def runtime_of(project: Project) -> RuntimeProcess:
    runtime: RuntimeProcess = project.runtime  # type: ignore[attr-defined]
    return runtime


def deployed(project: Project, *patterns: str, **options: Any) -> None:
    report = project.deploy(*patterns, **options)
    assert report.ok, report.table()


def test_a_deploy_changes_what_runs_without_touching_the_runtime(project: Project) -> None:
    project.add_bot("greeter", GREETER_V1)
    deployed(project)
    pid = runtime_of(project).process.pid

    first = project.execute("greeter", {"name": "Ada"})
    assert first.status_code == 200, first.text
    assert first.json() == {"version": 1, "name": "Ada"}

    project.write("src/shared/words.py", WORDS)
    project.write("src/bots/greeter.py", GREETER_V2)
    deployed(project)
    second = project.execute("greeter", {"name": "Ada"})
    assert second.status_code == 200, second.text
    assert second.json() == {"version": 2, "name": "Dear Ada"}
    # Same process, never restarted, rebuilt or told about the deploy.
    assert runtime_of(project).process.pid == pid and runtime_of(project).process.poll() is None
    events = project.standin.wait_for_audit_events(project.ids["greeter"], 2)
    assert [e["outcomeDesc"] for e in events] == ["greeter v1 ran", "greeter v2 ran"]


def _admin_deploy(project: Project, bot_id: str, code: str) -> None:
    """What anyone allowed to `$deploy` the Bot can do: put any executable code on it."""
    project.standin.add_client("admin-3", "admin-3-secret-0123456", "project-1")
    with httpx.Client(base_url=project.standin.base_url) as api:
        login = api.post(
            "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "admin-3",
                "client_secret": "admin-3-secret-0123456",
            },
        ).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        put = api.post(f"fhir/R4/Bot/{bot_id}/$deploy", json={"code": code}, headers=headers)
        assert put.status_code == 200


def test_a_replaced_forwarder_put_back_does_not_run(project: Project) -> None:
    project.add_bot("greeter", GREETER_V1)
    deployed(project)
    v1_code = project.executable_code("greeter")
    v1 = forwarder_constant(v1_code, "ARTIFACT")
    assert project.execute("greeter", {"name": "Ada"}).json()["version"] == 1
    assert v1["environment"] == "staging" and v1["botId"] == project.ids["greeter"]

    # An unchanged bot is not redeployed, although a new deploy would sign a newer sequence.
    assert "unchanged" in project.deploy().table()
    assert project.executable_code("greeter") == v1_code

    project.write("src/shared/words.py", WORDS)
    project.write("src/bots/greeter.py", GREETER_V2)
    deployed(project)
    v2 = forwarder_constant(project.executable_code("greeter"), "ARTIFACT")
    assert v2["sequence"] > v1["sequence"]
    assert project.execute("greeter", {"name": "Ada"}).json()["version"] == 2

    # v1's forwarder, signed and intact, put back on the Bot: refused, v1 never runs again.
    _admin_deploy(project, project.ids["greeter"], v1_code)
    answer = project.execute("greeter", {"name": "Ada"})
    assert answer.status_code == 400
    assert f"sequence {v1['sequence']}, older than sequence {v2['sequence']}" in answer.text

    # A deliberate rollback is a new deploy of the old code: a newer sequence, and it runs.
    project.write("src/bots/greeter.py", GREETER_V1)
    deployed(project)  # the Bot holds v2: changed, so deployed (no --force needed)
    again = forwarder_constant(project.executable_code("greeter"), "ARTIFACT")
    assert again["sha256"] == v1["sha256"] and again["sequence"] > v2["sequence"]
    assert project.execute("greeter", {"name": "Ada"}).json()["version"] == 1


def test_an_artifact_altered_on_the_server_is_refused(project: Project) -> None:
    project.add_bot("greeter", GREETER_V1)
    deployed(project)
    code = project.executable_code("greeter")
    carried = forwarder_constant(code, "ARTIFACT_CODE")
    text = base64.b64decode(carried).decode()
    evil = text.replace('print("greeter v1 ran")', 'print("someone else\'s code ran")')
    assert evil != text
    altered = code.replace(
        json.dumps(carried), json.dumps(base64.b64encode(evil.encode()).decode())
    )
    # A Project admin can put any executable code on the Bot: here, the altered artifact.
    bot_id = project.ids["greeter"]
    token = project.standin.add_client("admin-2", "admin-2-secret-0123456", "project-1")
    del token
    with httpx.Client(base_url=project.standin.base_url) as api:
        login = api.post(
            "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "admin-2",
                "client_secret": "admin-2-secret-0123456",
            },
        ).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        put = api.post(f"fhir/R4/Bot/{bot_id}/$deploy", json={"code": altered}, headers=headers)
        assert put.status_code == 200
    answer = project.execute("greeter", {"name": "Ada"})
    assert answer.status_code == 400
    assert "the artifact is not the one that was signed" in answer.text
    log = project.standin.wait_for_audit_events(bot_id, 1)[0]["outcomeDesc"]
    assert "someone else" not in log and "greeter v1 ran" not in log
    # One clean line from the forwarder (no JavaScript stack), then the stand-in's own.
    assert log.startswith("Unhandled error: Python bots runtime answered HTTP 403 for greeter")
    assert "    at " not in log and "evalmachine" not in log


def test_an_artifact_signed_by_an_untrusted_key_is_refused(project: Project) -> None:
    project.add_bot("greeter", GREETER_V1)
    stranger = generate()  # e.g. the staging key against a production runtime
    report = project.deploy(key=stranger)
    assert not report.ok
    assert f"does not trust this environment's deploy key {stranger.id}" in report.table()
    assert "Bot/" not in report.table() or "deployed" not in report.table()
    # Deployed anyway without the check: the runtime still never runs it.
    unchecked = project.deploy(key=stranger, runtime_check=False)
    assert unchecked.ok and "runtime not checked" in unchecked.table()
    answer = project.execute("greeter", {"name": "Ada"})
    assert answer.status_code == 400
    assert f"signed by deploy key '{stranger.id}', which this runtime does not trust" in answer.text


def test_a_bot_needing_a_package_the_runtime_lacks_fails_its_deploy(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A distribution installed where the deploy runs, not in the runtime's environment.
    site = tmp_path / "site"
    (site / "tinydep").mkdir(parents=True)
    (site / "tinydep" / "__init__.py").write_text("VERSION = '1.4'\n")
    info = site / "tinydep-1.4.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinydep\nVersion: 1.4\n")
    (info / "top_level.txt").write_text("tinydep\n")
    (info / "RECORD").write_text("")
    monkeypatch.syspath_prepend(str(site))
    bundle._import_providers.cache_clear()
    try:
        project.add_bot(
            "needy",
            """
            import tinydep


            def handler(medplum, event):
                return tinydep.VERSION
            """,
        )
        runs: list[dict[str, Any]] = [{"dry_run": True}, {}]
        for options in runs:
            report = project.deploy(**options)
            outcome = report.outcomes[0]
            assert outcome.result == FAILED, report.table()
            assert "needs tinydep==1.4, which the runtime" in outcome.detail
            assert "add it to the runtime's dependencies" in outcome.detail
        assert "executableCode" not in project.standin.store.read("Bot", project.ids["needy"])
    finally:
        bundle._import_providers.cache_clear()


def test_a_looping_bot_times_out_while_other_bots_keep_answering(project: Project) -> None:
    project.add_bot("looper", LOOPER, timeout=4)
    project.add_bot("greeter", GREETER_V1)
    deployed(project)
    with ThreadPoolExecutor(4) as pool:
        loops = [pool.submit(project.execute, "looper", {}) for _ in range(3)]
        deadline = time.monotonic() + 3
        while runtime_of(project).health()["running"] < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        answer = project.execute("greeter", {"name": "Ada"})
        assert answer.status_code == 200 and answer.json()["version"] == 1
        assert not any(f.done() for f in loops)  # answered while the loopers still run
        timed_out = [f.result() for f in loops]
    for response in timed_out:
        assert response.status_code == 400
        # Answered by the runtime at 90% of the Bot's timeout, before Medplum's own limit.
        assert "bot did not finish within its timeout of 3.6 s" in response.text
    logs = [e["outcomeDesc"] for e in project.standin.audit_events(project.ids["looper"])]
    assert logs and all(log.startswith("looping forever") for log in logs)
    health = runtime_of(project).health()
    assert health["status"] == "ok" and health["running"] == 0  # their workers were killed


def _signed_post(runtime_url: str, name: str, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(RUNTIME_KEY.encode(), name, raw))
    return httpx.post(f"{runtime_url}/bots/{name}", content=raw, headers=headers, timeout=60)


def _payload(project: Project, module: str, value: Any) -> dict[str, Any]:
    return {
        "bot": {"reference": f"Bot/{project.ids[module]}"},
        "baseUrl": project.standin.base_url,
        "accessToken": "not-used-by-these-bots",
        "input": value,
        "contentType": "application/json",
        "secrets": {},
        "headers": {},
        "timeout": 60,
        "artifact": carried_artifact(project.executable_code(module)),
    }


def test_forty_stuck_calls_do_not_stop_the_runtime(project: Project) -> None:
    project.add_bot("looper", LOOPER, timeout=1)
    project.add_bot("greeter", GREETER_V1)
    deployed(project)
    runtime = runtime_of(project)
    stuck = {**_payload(project, "looper", {}), "timeout": 1}
    with ThreadPoolExecutor(40) as pool:
        answers = list(
            pool.map(lambda n: _signed_post(runtime.url, "looper", {**stuck, "n": n}), range(40))
        )
    assert {a.status_code for a in answers} == {200}
    assert all(a.json()["outcome"]["issue"][0]["code"] == "timeout" for a in answers)
    ok = _signed_post(runtime.url, "greeter", _payload(project, "greeter", {"name": "Bo"}))
    assert ok.json()["result"] == {"version": 1, "name": "Bo"}
    assert runtime.health()["running"] == 0  # every stuck worker was killed


def test_sigterm_stops_the_runtime_with_stuck_bots_in_flight(
    tmp_path: Path, standin: MedplumStandIn
) -> None:
    key = generate()
    trusted = trusted_entry("staging", key.public)
    with runtime_process(tmp_path / "rt", standin.base_url, trusted, grace=2) as runtime:
        project = Project(tmp_path / "project", standin, runtime.url, key)
        project.add_bot("looper", LOOPER, timeout=600)
        deployed(project)
        body = _payload(project, "looper", {})
        body["timeout"] = 600
        threading.Thread(
            target=lambda: [_signed_post(runtime.url, "looper", {**body, "n": n}) for n in (1,)],
            daemon=True,
        ).start()
        deadline = time.monotonic() + 10
        while runtime.health()["running"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert runtime.terminate() < 2 + 3  # the grace period, then out


def test_a_key_trusted_for_another_environment_fails_the_deploy(
    tmp_path: Path, standin: MedplumStandIn
) -> None:
    key = generate()
    # The runtime knows this key as production's; the project deploys `staging` with it.
    trusted = trusted_entry("production", key.public)
    with runtime_process(tmp_path / "rt", standin.base_url, trusted) as runtime:
        project = Project(tmp_path / "project", standin, runtime.url, key)
        project.add_bot("greeter", GREETER_V1)
        report = project.deploy()
        assert not report.ok
        assert f"trusts deploy key {key.id} for environment 'production', not 'staging'" in (
            report.table()
        )
        # Deployed without the check: the runtime refuses it at execution time.
        assert project.deploy(runtime_check=False).ok
        answer = project.execute("greeter", {"name": "Ada"})
        assert answer.status_code == 400
        assert "which this runtime trusts for environment 'production' only" in answer.text
