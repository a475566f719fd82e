"""Checked after: what the runtime check proves beyond packages, and the `smoke` run.

Real pieces: a Medplum stand-in (the forwarder runs in a Node vm), the generic runtime in its
own uvicorn process, the deployer in between; `invoke execute` in its own process too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medplum_standin import MedplumStandIn

from medplum_bots.deploy.report import DEPLOYED, FAILED
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from tests.oneline.cli import error_line, invoke
from tests.runtime.generic import (
    CLIENT,
    CLIENT_SECRET,
    PROJECT,
    RUNTIME_KEY,
    SECRET,
    Project,
    runtime_process,
)

GREETER = """
    def handler(medplum, event):
        print("greeting")
        return {"hello": event.input["name"]}
"""
FAILING = """
    def handler(medplum, event):
        print("about to fail")
        raise ValueError("the lab " + "code is missing")
"""
ERROR = "ValueError: the lab code is missing"


@contextmanager
def project_with(
    tmp_path: Path, *, project_secret: str = RUNTIME_KEY, allowed: str | None = None
) -> Iterator[Project]:
    """A project deploying to a stand-in whose Project holds `project_secret`, and a runtime
    (key RUNTIME_KEY) accepting `allowed` (default: the stand-in's base URL)."""
    standin = MedplumStandIn()
    with standin:
        standin.add_project(PROJECT, secrets={SECRET: project_secret})
        standin.add_client(CLIENT, CLIENT_SECRET, PROJECT)
        key = generate()
        trusted = trusted_entry("staging", key.public)
        with runtime_process(tmp_path / "runtime", allowed or standin.base_url, trusted) as runtime:
            yield Project(tmp_path / "project", standin, runtime.url, key)


def _set_entry(project: Project, module: str, **fields: Any) -> None:
    path = project.root / "medplum.config.json"
    config = json.loads(path.read_text())
    for entry in config["bots"]:
        if entry["name"] == f"{module}-staging":
            entry.update(fields)
    path.write_text(json.dumps(config, indent=2))


def test_a_runtime_key_other_than_the_project_secret_fails_the_deploy(tmp_path: Path) -> None:
    other = "a-project-secret-that-is-not-the-runtime-key-0123"
    with project_with(tmp_path, project_secret=other) as project:
        project.add_bot("greeter", GREETER)
        report = project.deploy()
        # The fix the line names: the secret set to the runtime's key.
        project.standin.set_secret(PROJECT, SECRET, RUNTIME_KEY)
        again = project.deploy()

    outcome = report.outcomes[0]
    assert outcome.result == FAILED
    assert outcome.detail == (
        f"runtime: the runtime at {project.runtime_url} verifies requests with a "
        f"MEDPLUM_BOTS_RUNTIME_KEY that differs from Project secret {SECRET!r} of environment "
        "'staging' (what the forwarder signs with), so it would refuse every run: set one to "
        "the other's value and restart the runtime"
    )
    assert other not in report.table() and RUNTIME_KEY not in report.table()
    assert again.outcomes[0].result == DEPLOYED, again.table()


def test_a_base_url_override_the_runtime_does_not_allow_fails_the_deploy(tmp_path: Path) -> None:
    with project_with(tmp_path) as project:
        project.add_bot("greeter", GREETER)
        # The same server under another name, as a CI override would give it.
        other = project.standin.base_url.replace("127.0.0.1", "localhost")
        environ = {**project.environ(), "STAGING_MEDPLUM_BASE_URL": other}
        from medplum_bots.config import load_config
        from medplum_bots.deploy.orchestrate import Connections, DeployOptions, deploy

        report = deploy(
            load_config(project.root / "medplum.config.json"),
            ["*"],
            DeployOptions(),
            Connections(environ=environ),
        )

    outcome = report.outcomes[0]
    assert outcome.result == FAILED
    assert outcome.detail == (
        f"runtime: environment 'staging' uses Medplum at {other} (STAGING_MEDPLUM_BASE_URL in "
        f"the environment), which the runtime at {project.runtime_url} does not accept: add it "
        "to the runtime's MEDPLUM_BOTS_ALLOWED_BASE_URLS and restart the runtime"
    )


def test_a_smoke_input_runs_after_the_deploy_and_a_failure_fails_it(tmp_path: Path) -> None:
    with project_with(tmp_path) as project:
        project.add_bot("greeter", GREETER)
        project.add_bot("broken", FAILING)
        (project.root / "smoke").mkdir()
        (project.root / "smoke" / "broken.json").write_text('{"name": "Ada"}')
        _set_entry(project, "greeter", smoke={"input": {"name": "Ada"}})
        _set_entry(project, "broken", smoke="smoke/broken.json")
        report = project.deploy()
        greeter_runs = project.standin.wait_for_audit_events(project.ids["greeter"], 1)

    by_bot = {o.bot: o for o in report.outcomes}
    assert by_bot["greeter-staging"].result == DEPLOYED, report.table()
    assert [e["outcomeDesc"] for e in greeter_runs] == ["greeting"]
    broken = by_bot["broken-staging"]
    assert broken.result == FAILED and report.exit_code() != 0
    assert broken.detail == (
        "smoke: deployed, but the bot failed on its smoke file smoke/broken.json (HTTP 400): "
        + ERROR
    )


def test_execute_prints_a_deployed_bots_error_once(tmp_path: Path) -> None:
    with project_with(tmp_path) as project:
        project.add_bot("broken", FAILING)
        assert project.deploy().ok
        (project.root / "in.json").write_text("{}")
        done = invoke(
            project.root,
            "execute",
            "--name",
            "broken-staging",
            "--input",
            "in.json",
            env=project.environ(),
        )

    assert done.returncode == 1
    assert (done.stdout + done.stderr).count(ERROR) == 1, done.stderr
    assert error_line(done) == (
        "error: bot 'broken-staging' (environment 'staging') failed on --input 'in.json' "
        f"(HTTP 400): {ERROR}"
    )
    assert "    about to fail" in done.stderr.splitlines()
