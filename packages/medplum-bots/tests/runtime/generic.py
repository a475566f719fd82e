"""Helpers for the generic runtime's end-to-end tests: a project on disk, a Medplum stand-in,
the runtime as its own process (uvicorn, as in the container), and the deployer in between."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from medplum_standin import MedplumStandIn

from medplum_bots.config import load_config
from medplum_bots.deploy.orchestrate import Connections, DeployOptions, deploy
from medplum_bots.deploy.report import DeployReport
from medplum_bots.runtime.deploy_keys import KeyPair, generate, trusted_entry

RUNTIME_KEY = "generic-runtime-test-key-0123456789abcdef"
SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"
PROJECT = "project-1"
CLIENT, CLIENT_SECRET = "client-1", "client-secret-1-abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RuntimeProcess:
    """`uvicorn --factory medplum_bots.runtime.http_app:app_from_env` in its own process."""

    url: str
    process: subprocess.Popen[bytes]

    def health(self) -> dict[str, Any]:
        answer = httpx.get(self.url + "/healthz", timeout=5)
        data: dict[str, Any] = answer.json()
        return data

    def terminate(self) -> float:
        """SIGTERM; seconds until the process was gone."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        return time.monotonic() - started


@contextmanager
def runtime_process(
    cwd: Path,
    allowed: str,
    trusted: str,
    *,
    threads: int = 64,
    grace: int = 10,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[RuntimeProcess]:
    """`trusted` is MEDPLUM_BOTS_TRUSTED_KEYS (`staging=ed25519:...`); `extra_env` adds
    settings (e.g. MEDPLUM_BOTS_REDIS_URL)."""
    port = free_port()
    env = {
        **os.environ,
        "MEDPLUM_BOTS_RUNTIME_KEY": RUNTIME_KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": allowed,
        "MEDPLUM_BOTS_TRUSTED_KEYS": trusted,
        "MEDPLUM_BOTS_THREADS": str(threads),
        "PYTHONPATH": "",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "medplum_bots.runtime.http_app:app_from_env",
        "--http",
        "medplum_bots.runtime.http_guard:GuardedH11Protocol",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        str(grace),
    ]
    cwd.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command, cwd=cwd, env=env, stderr=subprocess.PIPE)
    runtime = RuntimeProcess(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"runtime exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            runtime.health()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield runtime
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


BOTS_INIT = {"src/bots/__init__.py": "", "src/shared/__init__.py": ""}


def bot_text(body: str) -> str:
    return textwrap.dedent(body).lstrip()


@dataclass
class Project:
    """A bot project deploying to one stand-in (environment `staging`)."""

    root: Path
    standin: MedplumStandIn
    runtime_url: str
    key: KeyPair = field(default_factory=generate)
    ids: dict[str, str] = field(default_factory=dict)

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bot_text(text), encoding="utf-8")

    def add_bot(self, module: str, source: str, timeout: int = 10) -> str:
        self.write(f"src/bots/{module}.py", source)
        bot = self.standin.seed(
            {"resourceType": "Bot", "name": module, "runtimeVersion": "vmcontext"}, PROJECT
        )
        self.ids[module] = bot["id"]
        self._timeouts[module] = timeout
        self._write_config()
        return str(bot["id"])

    def __post_init__(self) -> None:
        self._timeouts: dict[str, int] = {}
        for relative, text in BOTS_INIT.items():
            self.write(relative, text)

    def _write_config(self) -> None:
        entries = [
            {
                "name": f"{module}-staging",
                "id": bot_id,
                "source": f"src/bots/{module}.py",
                "dist": f"dist/bots/{module}.py",
                "environment": "staging",
                "runtimeVersion": "vmcontext",
                "timeout": self._timeouts[module],
            }
            for module, bot_id in self.ids.items()
        ]
        config = {
            "bots": entries,
            "environments": {
                "staging": {
                    "baseUrl": self.standin.base_url,
                    "projectId": PROJECT,
                    "credentials": {"prefix": "STAGING_"},
                    "runtime": {"type": "http", "url": self.runtime_url, "secretName": SECRET},
                }
            },
        }
        (self.root / "medplum.config.json").write_text(json.dumps(config, indent=2))

    def environ(self, key: KeyPair | None = None) -> dict[str, str]:
        return {
            "STAGING_MEDPLUM_CLIENT_ID": CLIENT,
            "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT_SECRET,
            "STAGING_MEDPLUM_BOTS_DEPLOY_KEY": (key or self.key).private,
        }

    def deploy(self, *patterns: str, key: KeyPair | None = None, **options: Any) -> DeployReport:
        return deploy(
            load_config(self.root / "medplum.config.json"),
            patterns or ("*",),
            DeployOptions(**options),
            Connections(environ=self.environ(key)),
        )

    def execute(self, module: str, value: Any, timeout: float = 60) -> httpx.Response:
        token = httpx.post(
            self.standin.base_url + "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT,
                "client_secret": CLIENT_SECRET,
            },
        ).json()["access_token"]
        return httpx.post(
            f"{self.standin.base_url}fhir/R4/Bot/{self.ids[module]}/$execute",
            json=value,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def executable_code(self, module: str) -> str:
        bot = self.standin.store.read("Bot", self.ids[module])
        reference = bot["executableCode"]["url"].removeprefix("Binary/")
        return self.standin.store.binary_content(reference).decode()


def open_standin() -> MedplumStandIn:
    standin = MedplumStandIn()
    standin.__enter__()
    standin.add_project(PROJECT, secrets={SECRET: RUNTIME_KEY})
    standin.add_client(CLIENT, CLIENT_SECRET, PROJECT)
    return standin


@contextmanager
def served_project(root: Path, standin: MedplumStandIn) -> Iterator[tuple[Project, RuntimeProcess]]:
    """A project under `root` deploying to `standin`, with a runtime process that trusts its
    staging deploy key."""
    key = generate()
    trusted = trusted_entry("staging", key.public)
    with runtime_process(root / "runtime", standin.base_url, trusted) as runtime:
        yield Project(root / "project", standin, runtime.url, key), runtime


def forwarder_constant(code: str, name: str) -> Any:
    """The JSON value of `const NAME = ...;` in a deployed forwarder."""
    prefix = f"const {name} = "
    line = next(line for line in code.splitlines() if line.startswith(prefix))
    return json.loads(line.removeprefix(prefix).rstrip(";"))


def carried_artifact(code: str) -> Mapping[str, Any]:
    """What a deployed forwarder sends when the runtime asks for the file: reference + code."""
    reference: Mapping[str, Any] = forwarder_constant(code, "ARTIFACT")
    return {**reference, "code": forwarder_constant(code, "ARTIFACT_CODE")}
