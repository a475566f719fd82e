"""`invoke deploy/create/execute/logs` as real processes in a generated project.

Also: a `create` killed at any point leaves medplum.config.json old or new, never partial.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from medplum_bots.build.loader import forget_artifacts, load_artifact
from medplum_bots.config import load_config
from medplum_bots.deploy.report import DEPLOYED
from medplum_bots.runtime.adapter import execute_sync
from medplum_standin import ExternalResult
from medplum_standin.fleet import Fleet, open_fleet, results, standard_entries

from tests.template import gen_python, project_env, run_in

ROWS = [f"{m}-{env}" for env in ("staging", "production") for m in ("alpha", "beta", "gamma")]


@pytest.fixture
def project_fleet(tmp_path: Path, default_project: Path) -> Iterator[Fleet]:
    """A copy of the generated project, its bots and config aimed at two stand-ins."""
    root = tmp_path / "project"
    shutil.copytree(default_project, root, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    with ExitStack() as stack:
        fleet = open_fleet(stack, root)
        fleet.write_config(standard_entries(fleet))
        yield fleet


def assert_no_secrets(fleet: Fleet, *outputs: str) -> None:
    for secret in fleet.secrets():
        assert all(secret not in text for text in outputs), "a secret or token was printed"


def invoke(
    fleet: Fleet, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_in(fleet.root, "invoke", *args, env=env if env is not None else fleet.environ())


def test_invoke_deploy_prints_the_table_and_exits_zero(project_fleet: Fleet) -> None:
    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["bot", "environment", "result", "version", "seconds"]
    # Indented lines under a row are its details (here: the runtime was not checked).
    rows = {line.split()[0]: line.split()[2] for line in lines[2:] if not line.startswith(" ")}
    assert rows == dict.fromkeys(ROWS, "deployed")
    assert_no_secrets(project_fleet, done.stdout, done.stderr)

    again = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "alpha-*,beta-staging")
    assert again.returncode == 0, again.stderr
    assert {line.split()[0]: line.split()[2] for line in again.stdout.splitlines()[2:]} == {
        "alpha-staging": "unchanged",
        "beta-staging": "unchanged",
        "alpha-production": "unchanged",
    }


def test_invoke_deploy_exits_non_zero_naming_every_failed_bot(project_fleet: Fleet) -> None:
    beta = project_fleet.ids["beta-production"]
    project_fleet.sites["production"].standin.faults.add(
        method="POST", path=rf"/Bot/{beta}/\$deploy$", status=422, times=None
    )

    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "error: deploy failed for 1 bot(s): beta-production (production)"
    )
    rows = {
        line.split()[0]: line.split()[2]
        for line in done.stdout.splitlines()[2:]
        if not line.startswith(" ")
    }
    assert rows["beta-production"] == "failed"
    assert all(rows[name] == "deployed" for name in ROWS if name != "beta-production")
    assert "$deploy: HTTP 422" in done.stdout
    assert_no_secrets(project_fleet, done.stdout, done.stderr)


def test_invoke_deploy_without_a_name_deploys_nothing(project_fleet: Fleet) -> None:
    done = invoke(project_fleet, "deploy", "--no-runtime-check")

    assert done.returncode == 1
    assert done.stderr.strip() == (
        "error: say which bots: --name NAME or a pattern, e.g. --name '*-staging'"
    )
    assert not [r for site in project_fleet.sites.values() for r in site.standin.requests]


def test_invoke_deploy_reports_a_missing_credential_in_one_line(project_fleet: Fleet) -> None:
    environ = project_fleet.environ()
    del environ["STAGING_MEDPLUM_CLIENT_ID"]

    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*", env=environ)

    assert done.returncode == 1
    assert done.stderr.strip().startswith(
        "error: environment 'staging': MEDPLUM_CLIENT_ID is not set"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert_no_secrets(project_fleet, done.stdout, done.stderr)


def test_invoke_create_appends_the_entry_and_deploys_the_new_bot(project_fleet: Fleet) -> None:
    before = json.loads(project_fleet.config_path.read_text())
    args = ["create", "--no-runtime-check", "--name", "delta-staging"]
    args += ["--source", "src/bots/alpha.py"]

    done = invoke(project_fleet, *args, "--project-id", "staging-project")

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].split()[:3] == ["delta-staging", "staging", "created"]
    after = json.loads(project_fleet.config_path.read_text())
    assert after["bots"][:-1] == before["bots"] and after["environments"] == before["environments"]
    entry = after["bots"][-1]
    assert {k: entry[k] for k in ("name", "source", "dist", "environment")} == {
        "name": "delta-staging",
        "source": "src/bots/alpha.py",
        "dist": "dist/bots/alpha.py",
        "environment": "staging",
    }
    site = project_fleet.sites["staging"]
    assert site.standin.has_membership("staging-project", f"Bot/{entry['id']}")
    assert "executableCode" in site.bot(entry["id"])
    assert_no_secrets(project_fleet, done.stdout, done.stderr)

    twice = invoke(project_fleet, *args, "--project-id", "staging-project")
    assert twice.returncode == 1
    assert "a bot named 'delta-staging' already exists" in twice.stderr
    assert len(site.standin.store.all("Bot", "staging-project")) == 4


def _start_create(fleet: Fleet, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = project_env(fleet.root, {**fleet.environ(), **(extra_env or {})})
    command = [str(gen_python()), "-m", "invoke", "create", "--no-runtime-check"]
    command += ["--name", "delta-staging"]
    command += ["--source", "src/bots/alpha.py", "--project-id", "staging-project"]
    return subprocess.Popen(
        command, cwd=fleet.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _kill_when(process: subprocess.Popen[str], ready: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the process never reached the point to kill it at"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()


def test_create_killed_before_the_bot_exists_leaves_the_old_config(project_fleet: Fleet) -> None:
    before = project_fleet.config_path.read_bytes()
    fault = project_fleet.sites["staging"].standin.faults.add(
        method="POST", path=r"^/admin/projects/", status=None, delay=20.0
    )

    _kill_when(_start_create(project_fleet), lambda: fault.fired > 0)

    assert project_fleet.config_path.read_bytes() == before


def test_create_killed_after_recording_the_bot_leaves_the_new_config(project_fleet: Fleet) -> None:
    before = json.loads(project_fleet.config_path.read_text())
    fault = project_fleet.sites["staging"].standin.faults.add(
        method="POST", path=r"/\$deploy$", status=None, delay=20.0
    )

    _kill_when(_start_create(project_fleet), lambda: fault.fired > 0)

    after = json.loads(project_fleet.config_path.read_text())
    assert after["bots"][:-1] == before["bots"]
    assert after["bots"][-1]["name"] == "delta-staging" and after["bots"][-1]["id"]
    # The recorded Bot is deployed by the next run: nothing was orphaned.
    project_fleet.sites["staging"].standin.faults.clear()
    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "delta-staging")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].split()[2] == "deployed"


SLOW_CONFIG_FSYNC = '''
    """Test hook: stall inside write_json_atomic (before the rename) so a test can kill it."""
    import os
    import time

    _marker = os.environ.get("SLOW_CONFIG_FSYNC_MARKER")
    if _marker:
        _real_fsync = os.fsync

        def _slow_fsync(fd):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if ".medplum.config.json." in target:
                open(_marker, "w").close()
                time.sleep(30)
            _real_fsync(fd)

        os.fsync = _slow_fsync
'''


def test_create_killed_inside_the_atomic_write_leaves_the_old_config(
    project_fleet: Fleet, tmp_path: Path
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(SLOW_CONFIG_FSYNC))
    marker = tmp_path / "in-write"
    before = project_fleet.config_path.read_bytes()
    env = {
        "SLOW_CONFIG_FSYNC_MARKER": str(marker),
        "PYTHONPATH": os.pathsep.join(
            [str(hooks), str(project_fleet.root / "src"), str(project_fleet.root)]
        ),
    }

    _kill_when(_start_create(project_fleet, env), marker.exists)

    assert project_fleet.config_path.read_bytes() == before
    load_config(project_fleet.config_path)


def test_invoke_execute_and_logs_run_a_deployed_bot(project_fleet: Fleet) -> None:
    lambda_runtime = {
        "type": "lambda",
        "region": "us-east-1",
        "roleArn": "arn:aws:iam::123456789012:role/medplum-bots",
    }
    fleet = project_fleet
    fleet.write_config(standard_entries(fleet), fleet.environments(staging=lambda_runtime))
    report = fleet.deploy(
        "alpha-staging",
        connections=fleet.connections(lambda_deployer=lambda entry, env, artifact: "fn-alpha"),
    )
    assert results(report) == {"alpha-staging": DEPLOYED}
    bot = load_artifact(fleet.root / "dist/bots/alpha.py")

    def run_python_bot(payload: dict[str, Any]) -> ExternalResult:
        result = execute_sync(bot.handler, payload)
        return ExternalResult(result.result, "\n".join(result.logs), not result.ok)

    fleet.sites["staging"].standin.external_functions["fn-alpha"] = run_python_bot
    (fleet.root / "input.json").write_text(json.dumps({"name": "Ada"}))
    try:
        executed = invoke(fleet, "execute", "--name", "alpha-staging", "--input", "input.json")
        logged = invoke(fleet, "logs", "--name", "alpha-staging", "--limit", "5")
    finally:
        forget_artifacts()

    assert executed.returncode == 0, executed.stderr
    assert executed.stdout.strip() == "Hello Ada"
    assert logged.returncode == 0, logged.stderr
    header, log_line = logged.stdout.splitlines()[:2]
    assert header.endswith("  ok") and log_line.strip() == "running alpha"
    assert_no_secrets(fleet, executed.stdout, executed.stderr, logged.stdout, logged.stderr)

    missing = invoke(fleet, "execute", "--name", "alpha-prod", "--input", "input.json")
    assert missing.returncode == 1
    assert "no bot named 'alpha-prod'" in missing.stderr and "alpha-production" in missing.stderr


def test_deploy_key_prints_both_halves_and_where_they_go(project_fleet: Fleet) -> None:
    from medplum_bots.runtime.deploy_keys import TrustedKeys, key_id, load_private

    done = invoke(project_fleet, "deploy-key", "--environment", "staging")

    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    private = next(v for v in lines if v.startswith("STAGING_MEDPLUM_BOTS_DEPLOY_KEY="))
    public = next(v for v in lines if v.startswith("MEDPLUM_BOTS_TRUSTED_KEYS="))
    secret = load_private(private.partition("=")[2])
    # The runtime's entry binds the public half to its environment.
    trusted = TrustedKeys.parse(public.partition("=")[2])
    assert trusted.environments() == {key_id(secret.public_key()): "staging"}
    assert lines[0] == f"deploy key {key_id(secret.public_key())} for environment 'staging'"
    assert any("GitHub environment 'staging'" in line for line in lines)
    # A second pair is a new pair.
    again = invoke(project_fleet, "deploy-key", "--environment", "staging")
    assert private not in again.stdout

    unknown = invoke(project_fleet, "deploy-key", "--environment", "qa")
    assert unknown.returncode == 1
    assert unknown.stderr.strip().startswith("error: medplum.config.json: unknown environment 'qa'")
