"""`invoke run`, `invoke serve`'s app and the container's command, in a generated project."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from medplum_bots.runtime.adapter import make_payload
from medplum_bots.runtime.deploy_keys import KeyPair, generate, load_private, trusted_entry
from medplum_bots.runtime.forwarder import CarriedArtifact
from medplum_bots.runtime.signing import signature_headers

from tests.template import gen_python, project_env, render, run_in

KEY = "container-test-key-0123456789abcdefghijkl"
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Ada"], "family": "Byron"}]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh project (commands here build into its dist/)."""
    return render(tmp_path_factory.mktemp("cmds"))


def test_run_prints_logs_then_the_result(project: Path) -> None:
    done = run_in(
        project,
        "invoke",
        "run",
        "--name",
        "my-first-bot-staging",
        "--input",
        "examples/patient.json",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["Hello Jane Doe!"]
    assert json.loads(done.stdout) is True
    assert (project / "dist" / "bots" / "my_first_bot.py").is_file()


def test_run_reads_stdin_and_accepts_the_module_name(project: Path) -> None:
    done = run_in(project, "invoke", "run", "--name", "my_first_bot", input=json.dumps(PATIENT))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["Hello Ada Byron!"]


def test_run_of_a_failing_bot_prints_the_traceback_and_exits_1(project: Path) -> None:
    done = run_in(
        project,
        "invoke",
        "run",
        "--name",
        "my_first_bot",
        "--content-type",
        "text/plain",
        input="x",
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "Unhandled error: AttributeError: 'str' object has no attribute 'get'"
    assert "src/bots/my_first_bot.py" in done.stderr
    assert lines[-1] == "error: AttributeError: 'str' object has no attribute 'get'"
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "nope"], "error: medplum.config.json: no bot named 'nope'"),
        (
            ["--name", "my_first_bot", "--input", "missing.json"],
            "error: input file missing.json not found",
        ),
        (
            ["--name", "my_first_bot", "--secret", "NOVALUE"],
            "error: --secret must look like NAME=VALUE",
        ),
    ],
)
def test_run_errors_are_one_line(project: Path, args: list[str], message: str) -> None:
    done = run_in(project, "invoke", "run", *args, input="{}")
    assert done.returncode == 1
    assert done.stderr.strip().startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_to_start_without_a_key(project: Path) -> None:
    done = run_in(project, "invoke", "serve", timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: MEDPLUM_BOTS_RUNTIME_KEY is not set")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(project: Path, command: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run a server command in `project` with the shared venv; yields its URL once healthy."""
    port = free_port()
    server = subprocess.Popen(
        [str(gen_python()), "-m", *command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=project_env(project, env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                errors = server.stderr.read() if server.stderr else ""
                raise AssertionError(f"runtime did not start: {errors}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)
        if server.stderr:
            assert KEY not in server.stderr.read()


DEPLOY_KEY = generate()


def signed_artifact(project: Path, key: KeyPair) -> CarriedArtifact:
    """The built artifact signed for Bot/local (make_payload's Bot) in `staging`."""
    return CarriedArtifact.sign(
        (project / "dist" / "bots" / "my_first_bot.py").read_bytes(),
        load_private(key.private),
        environment="staging",
        bot="my_first_bot",
        bot_id="local",
        sequence=1,
    )


def carried(project: Path, payload: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    """A body as the deployed forwarder sends it when the runtime asks for the artifact: the
    payload, the built artifact, its deploy signature; and the request signature headers."""
    artifact = signed_artifact(project, DEPLOY_KEY)
    body = json.dumps({**payload, "artifact": artifact.with_code()}).encode()
    return body, signature_headers(KEY.encode(), "my_first_bot", body)


@pytest.fixture
def container_command(project: Path) -> Iterator[str]:
    """The Dockerfile's CMD, run in the project; yields its URL. It builds nothing: each
    execution brings its (signed) artifact."""
    dockerfile = (project / "Dockerfile").read_text()
    command = re.search(r"exec (uvicorn --factory \S+ --http \S+)", dockerfile)
    assert command is not None
    env = {
        "MEDPLUM_BOTS_RUNTIME_KEY": KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": "http://medplum.local/",
        "MEDPLUM_BOTS_ALLOW_PLAIN_HTTP": "1",  # make_payload's stand-in URL, never reached
        "MEDPLUM_BOTS_TRUSTED_KEYS": trusted_entry("staging", DEPLOY_KEY.public),
    }
    with serving(project, command.group(1).split(), env) as url:
        yield url


def test_container_command_runs_the_artifact_each_execution_carries(
    project: Path, container_command: str
) -> None:
    assert run_in(project, "invoke", "build").returncode == 0
    payload = make_payload(PATIENT, access_token="token-never-logged-123")
    body, headers = carried(project, payload)
    answer = httpx.post(f"{container_command}/bots/my_first_bot", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "ok": True,
        "result": True,
        "logs": ["Hello Ada Byron!"],
        "outcome": None,
    }
    # The same bytes signed by a key the runtime does not trust are never run.
    unsigned = signed_artifact(project, generate()).with_code()
    other = json.dumps({**payload, "artifact": unsigned}).encode()
    refused = httpx.post(
        f"{container_command}/bots/my_first_bot",
        content=other,
        headers=signature_headers(KEY.encode(), "my_first_bot", other),
    )
    assert refused.status_code == 403, refused.text


def test_dockerfile_installs_the_project_with_its_pin_and_no_bot_code(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    # The runtime lock (medplum-bots[http]==<pin> and the rest, hashed); bots are not baked in.
    assert re.search(r"RUN sh scripts/install-locked.sh requirements.txt ", dockerfile)
    assert "COPY src" not in dockerfile and "invoke build" not in dockerfile
    assert dockerfile.count("FROM python:3.11-slim") == 1
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".env.*" in ignored


def test_serve_runs_signed_artifacts_with_the_keys_from_dotenv(tmp_path: Path) -> None:
    project = render(tmp_path)
    (project / ".env").write_text(
        f"MEDPLUM_BOTS_RUNTIME_KEY={KEY}\n"
        f"MEDPLUM_BOTS_TRUSTED_KEYS={trusted_entry('staging', DEPLOY_KEY.public)}\n"
    )
    assert run_in(project, "invoke", "build").returncode == 0
    with serving(project, ["invoke", "serve"], {}) as url:
        # No allow-list set: the environments' base URLs in medplum.config.json are allowed.
        payload = make_payload(PATIENT, base_url="https://api.medplum.com/", access_token="t" * 20)
        body, headers = carried(project, payload)
        answer = httpx.post(f"{url}/bots/my_first_bot", content=body, headers=headers)
        assert answer.json()["logs"] == ["Hello Ada Byron!"], answer.text
        elsewhere, other_headers = carried(project, {**payload, "baseUrl": "https://x.example/"})
        refused = httpx.post(f"{url}/bots/my_first_bot", content=elsewhere, headers=other_headers)
        assert refused.status_code == 401
