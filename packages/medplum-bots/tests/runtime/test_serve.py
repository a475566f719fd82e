"""`invoke serve`'s package function: prints what it serves, honours the shutdown grace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from medplum_standin import MedplumStandIn

from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_bots.runtime.signing import signature_headers
from tests.runtime.generic import (
    RUNTIME_KEY,
    Project,
    carried_artifact,
    free_port,
    open_standin,
)

LOOPER = """
    import time


    def handler(medplum, event):
        while True:
            time.sleep(0.05)
"""
SERVE = (
    "import sys; from medplum_bots.config import load_config; "
    "from medplum_bots.runtime.http_app import serve; "
    "serve(load_config(), '127.0.0.1', int(sys.argv[1]))"
)


def test_serve_prints_what_it_serves_and_exits_within_the_grace(tmp_path: Path) -> None:
    standin: MedplumStandIn = open_standin()
    key = generate()
    port = free_port()
    try:
        project = Project(tmp_path / "project", standin, f"http://127.0.0.1:{port}", key)
        project.add_bot("looper", LOOPER, timeout=600)
        assert project.deploy("*", runtime_check=False).ok
        trusted = trusted_entry("staging", key.public)
        (project.root / ".env").write_text(
            f"MEDPLUM_BOTS_RUNTIME_KEY={RUNTIME_KEY}\n"
            f"MEDPLUM_BOTS_TRUSTED_KEYS={trusted}\n"
            "MEDPLUM_BOTS_SHUTDOWN_GRACE=1\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDPLUM_BOTS_")}
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)],
            cwd=project.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            line = server.stdout.readline().strip()
            assert line == (
                f"serving bots deployed for staging (key {key.id}) on "
                f"http://127.0.0.1:{port}/bots/<name>, Medplum at {standin.base_url}; "
                "shutdown grace 1 s"
            )
            payload = {
                "bot": {"reference": f"Bot/{project.ids['looper']}"},
                "baseUrl": standin.base_url,
                "accessToken": "t" * 20,
                "input": {},
                "contentType": "application/json",
                "timeout": 600,
                "artifact": carried_artifact(project.executable_code("looper")),
            }
            raw = json.dumps(payload).encode()
            headers = signature_headers(RUNTIME_KEY.encode(), "looper", raw)
            url = f"http://127.0.0.1:{port}/bots/looper"
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            threading.Thread(
                target=lambda: httpx.post(url, content=raw, headers=headers, timeout=60),
                daemon=True,
            ).start()
            while httpx.get(f"http://127.0.0.1:{port}/healthz").json()["running"] < 1:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            started = time.monotonic()
            server.send_signal(signal.SIGTERM)
            server.wait(30)
            assert time.monotonic() - started < 1 + 2  # the grace from .env, then out
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    finally:
        standin.__exit__(None, None, None)
