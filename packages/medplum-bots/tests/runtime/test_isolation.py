"""One bot cannot touch another: attacks run as signed bots against a real runtime process.

The runtime (uvicorn, the container's command) runs in a directory holding a `.env` with a
deploy key, as `invoke serve` does; every bot below is deployed through the deployer and
signed with a trusted key, so each attack is what a bot author with deploy rights could do.
Each test shows the attack fails and other bots keep working.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from medplum_standin import MedplumStandIn

from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_bots.runtime.signing import signature_headers
from tests.runtime.generic import (
    RUNTIME_KEY,
    Project,
    RuntimeProcess,
    carried_artifact,
    open_standin,
    runtime_process,
)

DOTENV_SECRET = "STAGING_MEDPLUM_CLIENT_SECRET=dotenv-secret-that-no-bot-may-read"
MEMORY_MB = 256

BOTS = {
    "reader": """
        import os
        import pathlib


        def _read(path):
            try:
                return pathlib.Path(path).read_text(errors="replace")
            except OSError as error:
                return type(error).__name__


        def handler(medplum, event):
            return {
                "env": dict(os.environ),
                "dotenv": _read(".env"),
                "cwd": os.getcwd(),
                "own_environ": _read("/proc/self/environ"),
                "parent_environ": _read(f"/proc/{os.getppid()}/environ"),
            }
    """,
    "patcher": """
        import builtins
        import os
        import sys

        import medplum_bots.runtime.adapter as adapter
        from medplum_bots.runtime import deploy_keys

        SEEN = []


        def handler(medplum, event):
            deploy_keys.TrustedKeys.verify = lambda *args, **kwargs: None
            original = adapter.execute_sync

            def spy(bot, payload, **options):
                SEEN.append(payload.get("accessToken"))
                return original(bot, payload, **options)

            adapter.execute_sync = spy
            builtins.planted = "by the patcher"
            sys.modules["planted_module"] = sys
            os.environ["PLANTED"] = "yes"
            SEEN.append(medplum.get_access_token())
            return SEEN
    """,
    "victim": """
        import builtins
        import os
        import sys

        import medplum_bots.runtime.adapter as adapter


        def handler(medplum, event):
            return {
                "builtins": hasattr(builtins, "planted"),
                "modules": "planted_module" in sys.modules,
                "environ": "PLANTED" in os.environ,
                "adapter": adapter.execute_sync.__name__,
                "token": medplum.get_access_token(),
            }
    """,
    "forker": """
        import os
        import time


        def handler(medplum, event):
            read, write = os.pipe()
            child = os.fork()
            if child == 0:
                os.setsid()  # leaves the worker's process group
                grandchild = os.fork()
                if grandchild == 0:
                    time.sleep(300)
                    os._exit(0)
                os.write(write, str(grandchild).encode())
                os._exit(0)
            os.waitpid(child, 0)
            escaped = int(os.read(read, 32))
            stays = os.fork()
            if stays == 0:
                time.sleep(300)
                os._exit(0)
            print(f"pids {escaped} {stays}")
            while True:
                time.sleep(0.05)
    """,
    "hog": """
        def handler(medplum, event):
            print("allocating")
            kept = bytearray(1024 * 1024 * 1024)
            return len(kept)
    """,
    "spinner": """
        async def handler(medplum, event):
            print("spinning without awaiting")
            while True:
                pass
    """,
    "cruncher": """
        def handler(medplum, event):
            print("crunching")
            total = 0
            while True:
                total += 1
    """,
    "exiter": """
        import os


        def handler(medplum, event):
            print("leaving now", flush=True)
            os._exit(3)
    """,
    "crasher": """
        import ctypes


        def handler(medplum, event):
            print("about to crash")
            ctypes.string_at(0)
    """,
    "raiser": """
        import asyncio


        async def handler(medplum, event):
            print("raising", event.input["kind"])
            kinds = {
                "KeyboardInterrupt": KeyboardInterrupt,
                "SystemExit": SystemExit,
                "GeneratorExit": GeneratorExit,
                "CancelledError": asyncio.CancelledError,
            }
            raise kinds[event.input["kind"]]()
    """,
    "threader": """
        import threading
        import time


        def handler(medplum, event):
            started = 0
            try:
                for _ in range(300):
                    threading.Thread(target=time.sleep, args=(300,), daemon=True).start()
                    started += 1
            finally:
                print(f"started {started} threads")
            return started
    """,
    "forger": """
        import os


        def handler(medplum, event):
            print("forging")
            for fd in os.listdir("/proc/self/fd"):
                if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                    os.write(int(fd), b"\\x00\\x00\\x00\\x02{}")  # a frame, not a result
            return "answered"
    """,
    "regicide": """
        import os
        import signal


        def handler(medplum, event):
            os.kill(os.getppid(), signal.SIGKILL)  # the zygote every worker is forked from
            return "killed"
    """,
    "greeter": """
        def handler(medplum, event):
            print("greeting")
            return {"hello": event.input["name"]}
    """,
}


@pytest.fixture(scope="module")
def standin() -> Iterator[MedplumStandIn]:
    standin = open_standin()
    try:
        yield standin
    finally:
        standin.__exit__(None, None, None)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, standin: MedplumStandIn) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("isolation")
    key = generate()
    served_from = root / "runtime"  # like `invoke serve`: the runtime's cwd holds a .env
    served_from.mkdir()
    (served_from / ".env").write_text(DOTENV_SECRET + "\n")
    limits = {"MEDPLUM_BOTS_WORKER_MEMORY_MB": str(MEMORY_MB)}
    trusted = trusted_entry("staging", key.public)
    with runtime_process(served_from, standin.base_url, trusted, extra_env=limits) as runtime:
        made = Project(root / "project", standin, runtime.url, key)
        made.runtime = runtime  # type: ignore[attr-defined]
        for module, source in BOTS.items():
            made.add_bot(module, source)
        report = made.deploy()
        assert report.ok, report.table()
        yield made


def runtime_of(project: Project) -> RuntimeProcess:
    runtime: RuntimeProcess = project.runtime  # type: ignore[attr-defined]
    return runtime


def run(
    project: Project, module: str, value: Any = None, *, timeout: float = 10, token: str = ""
) -> dict[str, Any]:
    """Post a signed execution of `module` straight to the runtime; its JSON answer."""
    payload = {
        "bot": {"reference": f"Bot/{project.ids[module]}"},
        "baseUrl": project.standin.base_url,
        "accessToken": token or f"token-of-{module}-{time.monotonic_ns()}",
        "input": value if value is not None else {},
        "contentType": "application/json",
        "secrets": {},
        "headers": {},
        "timeout": timeout,
        "artifact": carried_artifact(project.executable_code(module)),
    }
    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(RUNTIME_KEY.encode(), module, raw))
    url = f"{runtime_of(project).url}/bots/{module}"
    answer = httpx.post(url, content=raw, headers=headers, timeout=timeout + 30)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def failure_text(answer: dict[str, Any]) -> str:
    assert answer["ok"] is False, answer
    return str(answer["outcome"]["issue"][0]["details"]["text"])


def still_works(project: Project) -> None:
    answer = run(project, "greeter", {"name": "Ada"})
    assert answer["ok"] and answer["result"] == {"hello": "Ada"}, answer
    assert answer["logs"] == ["greeting"]


def test_a_bot_reads_neither_the_runtime_settings_nor_the_project_files(project: Project) -> None:
    seen = run(project, "reader")["result"]
    everything = json.dumps(seen)
    assert RUNTIME_KEY not in everything
    assert project.key.public not in everything  # MEDPLUM_BOTS_TRUSTED_KEYS
    assert not [name for name in seen["env"] if name.startswith("MEDPLUM_BOTS_")]
    assert seen["dotenv"] == "FileNotFoundError"  # its working directory is its own
    assert "dotenv-secret" not in everything
    assert Path(seen["cwd"]) != project.root.parent / "runtime"
    still_works(project)


def test_patching_the_tooling_changes_nothing_for_other_bots(project: Project) -> None:
    patched = run(project, "patcher", token="token-of-the-patcher-0001")
    assert patched["ok"], patched
    victim = run(project, "victim", token="token-of-the-victim-000001")["result"]
    assert victim == {
        "builtins": False,
        "modules": False,
        "environ": False,
        "adapter": "execute_sync",
        "token": "token-of-the-victim-000001",
    }
    # The patcher's worker saw its own tokens only, never the victim's.
    again = run(project, "patcher", token="token-of-the-patcher-0002")["result"]
    assert "token-of-the-victim-000001" not in again
    # The signature check lives in the supervisor: a tampered artifact is still refused.
    artifact = carried_artifact(project.executable_code("victim"))
    text = base64.b64decode(artifact["code"]).decode()
    evil = text.replace('"environ": "PLANTED" in os.environ,', '"environ": "evil code ran",')
    assert evil != text
    payload = {
        "bot": {"reference": "Bot/x"},
        "baseUrl": project.standin.base_url,
        "accessToken": "t",
        "input": {},
        "contentType": "application/json",
        "artifact": {**artifact, "code": base64.b64encode(evil.encode()).decode()},
    }
    raw = json.dumps(payload).encode()
    refused = httpx.post(
        f"{runtime_of(project).url}/bots/victim",
        content=raw,
        headers=signature_headers(RUNTIME_KEY.encode(), "victim", raw),
    )
    assert refused.status_code == 403, refused.text
    still_works(project)


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True  # dead, waiting to be reaped
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_what_a_bot_starts_dies_with_its_worker(project: Project) -> None:
    answer = run(project, "forker", timeout=2)
    assert "did not finish within its timeout of 2 s" in failure_text(answer)
    line = next(line for line in answer["logs"] if line.startswith("pids "))
    escaped, stays = (int(pid) for pid in line.split()[1:])
    assert _gone(stays), "the child in the worker's process group survived"
    assert _gone(escaped), "the child that left the process group survived"
    still_works(project)


def test_memory_past_the_limit_fails_that_execution_only(project: Project) -> None:
    answer = run(project, "hog")
    assert failure_text(answer) == f"bot exceeded the worker memory limit of {MEMORY_MB} MB"
    assert answer["logs"][0] == "allocating"
    still_works(project)


@pytest.mark.parametrize("module", ["spinner", "cruncher"])
def test_a_bot_that_never_yields_is_killed_at_its_timeout(project: Project, module: str) -> None:
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        stuck = pool.submit(run, project, module, timeout=2)
        time.sleep(0.5)
        # Meanwhile the runtime answers, health checks included.
        health = httpx.get(runtime_of(project).url + "/healthz", timeout=1)
        assert health.status_code == 200
        still_works(project)
        answer = stuck.result()
    assert time.monotonic() - started < 6
    assert "did not finish within its timeout of 2 s" in failure_text(answer)
    assert answer["logs"][0] in ("spinning without awaiting", "crunching")
    assert answer["logs"][-1].startswith("Timed out: ")
    still_works(project)


def test_os_exit_and_a_crash_end_that_execution_only(project: Project) -> None:
    exited = run(project, "exiter")
    assert "exit status 3" in failure_text(exited)
    assert exited["logs"][0] == "leaving now"
    crashed = run(project, "crasher")
    assert "killed by SIGSEGV" in failure_text(crashed)
    assert crashed["logs"][0] == "about to crash"
    still_works(project)


def test_threads_count_against_the_memory_limit(project: Project) -> None:
    answer = run(project, "threader")
    assert "can't start new thread" in failure_text(answer)
    started = int(answer["logs"][0].split()[1])
    assert 0 < started < 300  # each thread's stack counts: 300 do not fit in 256 MB
    still_works(project)


def test_a_bot_writing_on_its_channel_fails_itself_only(project: Project) -> None:
    answer = run(project, "forger")
    assert "not an execution's result" in failure_text(answer)
    assert answer["logs"][0] == "forging"
    still_works(project)


def test_a_bot_that_kills_the_zygote_stops_nobody(project: Project) -> None:
    still_works(project)  # a warm greeter, forked from the first zygote
    run(project, "regicide")
    time.sleep(0.5)
    still_works(project)  # a new zygote, a new greeter worker
    still_works(project)


@pytest.mark.parametrize(
    "kind", ["KeyboardInterrupt", "SystemExit", "GeneratorExit", "CancelledError"]
)
def test_base_exceptions_are_failures_with_their_logs(project: Project, kind: str) -> None:
    answer = run(project, "raiser", {"kind": kind})
    assert failure_text(answer) == kind
    assert answer["logs"][0] == f"raising {kind}"
    assert f"Unhandled error: {kind}" in answer["logs"]
    still_works(project)


def descendants(root: int) -> set[int]:
    """Every process below `root` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError):
                continue
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_sigterm_ends_everything_within_the_grace_and_frees_the_port(
    tmp_path: Path, standin: MedplumStandIn
) -> None:
    key = generate()
    trusted = trusted_entry("staging", key.public)
    with runtime_process(tmp_path / "rt", standin.base_url, trusted, grace=2) as runtime:
        made = Project(tmp_path / "project", standin, runtime.url, key)
        made.runtime = runtime  # type: ignore[attr-defined]
        made.add_bot("forker", BOTS["forker"], timeout=600)
        assert made.deploy().ok
        with ThreadPoolExecutor(1) as pool:
            pool.submit(run, made, "forker", timeout=600)
            deadline = time.monotonic() + 10
            # The zygote, the worker, its child and the child that left its group.
            while len(descendants(runtime.process.pid)) < 4:
                assert time.monotonic() < deadline, descendants(runtime.process.pid)
                time.sleep(0.05)
            below = descendants(runtime.process.pid)
            assert runtime.terminate() < 2 + 3  # the grace period, then out
        assert all(_gone(pid, within=2) for pid in below)
        port = int(runtime.url.rsplit(":", 1)[1])
        with socket.socket() as probe:
            # A new runtime can listen (SO_REUSEADDR, as uvicorn: TIME_WAIT is not a holder).
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
            probe.listen()
