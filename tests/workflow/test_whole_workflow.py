"""The whole workflow of a generated repository, each step a real command, against Medplum.

Generate -> `invoke serve` (the Python runtime, a real process) -> `invoke deploy --create` to
the loopback Medplum stand-in -> Medplum runs the Bot (`$execute` through `invoke execute`, and
a Subscription on Patient create) -> the JavaScript forwarder -> the runtime -> the bot ->
`invoke logs` shows what the bot printed. Nothing between the pieces is mocked.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_standin import MedplumStandIn

from tests.template import gen_python, project_env, render, run_in

PROJECT_ID = "workflow-project"
CLIENT_ID = "workflow-client"
CLIENT_SECRET = "workflow-client-secret-" + secrets.token_hex(8)
RUNTIME_KEY = secrets.token_hex(32)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Workflow:
    def __init__(self, project: Path, medplum: MedplumStandIn, runtime_url: str) -> None:
        self.project = project
        self.medplum = medplum
        self.runtime_url = runtime_url
        self.deploy_key = generate()
        self.env = {
            "STAGING_MEDPLUM_CLIENT_ID": CLIENT_ID,
            "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT_SECRET,
            "STAGING_MEDPLUM_BOTS_DEPLOY_KEY": self.deploy_key.private,
        }

    def invoke(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = run_in(self.project, "invoke", *args, env=self.env)
        secrets = (CLIENT_SECRET, RUNTIME_KEY, self.deploy_key.private, *self.medplum_tokens())
        for secret in secrets:
            assert secret not in done.stdout + done.stderr, "a secret or token was printed"
        return done

    def medplum_tokens(self) -> list[str]:
        tokens: dict[str, Any] = getattr(self.medplum, "_tokens", {})
        return list(tokens)

    def config(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.project / "medplum.config.json").read_text())
        return data

    def bot_id(self, name: str) -> str:
        ids = [bot["id"] for bot in self.config()["bots"] if bot["name"] == name]
        assert ids and ids[0], f"{name} has no id"
        return str(ids[0])


@pytest.fixture
def workflow(tmp_path: Path) -> Iterator[Workflow]:
    project = render(tmp_path)
    with MedplumStandIn() as medplum:
        medplum.add_project(PROJECT_ID, secrets={"MEDPLUM_BOTS_RUNTIME_KEY": RUNTIME_KEY})
        medplum.add_client(CLIENT_ID, CLIENT_SECRET, PROJECT_ID)
        runtime_url = f"http://127.0.0.1:{free_port()}"

        config = json.loads((project / "medplum.config.json").read_text())
        staging = config["environments"]["staging"]
        staging.update(baseUrl=medplum.base_url, projectId=PROJECT_ID)
        staging["runtime"]["url"] = runtime_url
        config["bots"][0]["subscriptions"] = [{"criteria": "Patient", "interactions": ["create"]}]
        (project / "medplum.config.json").write_text(json.dumps(config, indent=2) + "\n")
        made = Workflow(project, medplum, runtime_url)
        # The runtime trusts the staging deploy key's public half (what `invoke deploy-key`
        # says to put there); the private half is only in the deploy's environment.
        (project / ".env").write_text(
            f"MEDPLUM_BOTS_RUNTIME_KEY={RUNTIME_KEY}\n"
            f"MEDPLUM_BOTS_TRUSTED_KEYS={trusted_entry('staging', made.deploy_key.public)}\n"
        )
        yield made


@contextmanager
def serving(workflow: Workflow) -> Iterator[None]:
    """`invoke serve` in its own process, on the port the config's runtime URL names."""
    port = workflow.runtime_url.rsplit(":", 1)[1]
    server = subprocess.Popen(
        [str(gen_python()), "-m", "invoke", "serve", "--port", port],
        cwd=workflow.project,
        env=project_env(workflow.project),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_healthy(workflow.runtime_url, server)
        yield
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
        assert RUNTIME_KEY not in output, "the runtime printed its key"


def wait_healthy(url: str, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"invoke serve exited: {server.communicate()[0]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("invoke serve did not become healthy")


def test_generate_new_serve_deploy_execute_subscribe_and_read_logs(workflow: Workflow) -> None:
    added = workflow.invoke("new", "--name", "referral-intake")
    assert added.returncode == 0, added.stdout + added.stderr

    with serving(workflow):
        deployed = workflow.invoke("deploy", "--name", "*-staging", "--create")
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        rows = {
            line.split()[0]: line.split()[1:3]
            for line in deployed.stdout.splitlines()
            if line.endswith(tuple("0123456789"))
        }
        assert rows == {
            "my-first-bot-staging": ["staging", "created"],
            "referral-intake-staging": ["staging", "created"],
        }, deployed.stdout
        production = [b for b in workflow.config()["bots"] if b["name"].endswith("-production")]
        assert [b["id"] for b in production] == ["", ""], "production must stay untouched"
        bot_id = workflow.bot_id("my-first-bot-staging")
        bot = workflow.medplum.store.read("Bot", bot_id)
        assert bot["sourceCode"]["contentType"] == "text/x-python"
        assert bot["executableCode"]["contentType"] == "text/javascript"

        for name in ("my-first-bot-staging", "referral-intake-staging"):
            executed = workflow.invoke(
                "execute", "--name", name, "--input", "examples/patient.json"
            )
            assert executed.returncode == 0, executed.stdout + executed.stderr
            assert executed.stdout.strip() == "true"

        # A Patient created in Medplum fires the Subscription that deploy declared.
        token = httpx.post(
            workflow.medplum.base_url + "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        ).json()["access_token"]
        created = httpx.post(
            workflow.medplum.base_url + "fhir/R4/Patient",
            json={"resourceType": "Patient", "name": [{"given": ["Grace"], "family": "Hopper"}]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201, created.text
        events = workflow.medplum.wait_for_audit_events(bot_id, 2)
        assert all(event["outcome"] == "0" for event in events), events

        # Edit, deploy, execute, with `invoke serve` left running: the new code answers.
        source = workflow.project / "src" / "bots" / "my_first_bot.py"
        source.write_text(source.read_text().replace("return True", 'return "edited"'))
        redeployed = workflow.invoke("deploy", "--name", "my-first-bot-staging")
        assert redeployed.returncode == 0, redeployed.stdout + redeployed.stderr
        executed = workflow.invoke(
            "execute", "--name", "my-first-bot-staging", "--input", "examples/patient.json"
        )
        assert executed.stdout.strip() == "edited", executed.stdout + executed.stderr
        source.write_text(source.read_text().replace('return "edited"', "return True"))

    logs = workflow.invoke("logs", "--name", "my-first-bot-staging", "--limit", "5")
    assert logs.returncode == 0, logs.stdout + logs.stderr
    assert "Hello Jane Doe!" in logs.stdout
    assert "Hello Grace Hopper!" in logs.stdout

    # Back to the first version's content: unchanged, so no runtime needs to answer.
    workflow.invoke("deploy", "--name", "my-first-bot-staging", "--no-runtime-check")
    again = workflow.invoke("deploy", "--name", "*-staging")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "unchanged" in again.stdout and "deployed" not in again.stdout


def test_a_bot_whose_runtime_is_down_fails_loudly_in_medplum(workflow: Workflow) -> None:
    refused = workflow.invoke("deploy", "--name", "my-first-bot-staging", "--create")
    assert refused.returncode == 1
    assert "runtime unreachable at" in refused.stdout and "--no-runtime-check" in refused.stdout
    deployed = workflow.invoke("deploy", "--name", "my-first-bot-staging", "--no-runtime-check")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "runtime not checked" in deployed.stdout

    executed = workflow.invoke(
        "execute", "--name", "my-first-bot-staging", "--input", "examples/patient.json"
    )
    assert executed.returncode == 1
    assert executed.stderr.count("\n") == 1 and executed.stderr.startswith("error: ")
    assert "runtime" in executed.stderr.lower()
