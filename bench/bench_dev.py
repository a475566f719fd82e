"""Benchmark of `invoke dev`: from a save to the new code answering `$execute` (not a test).

    python bench/bench_dev.py [--bots 10] [--latency 0.05] [--repeats 5]

A project of N bots (default 10), each with its own test file, all importing one shared module;
every bot also has a module of its own. The loopback Medplum stand-in runs in a process of its
own, sleeping `--latency` (default 50 ms) on every request, and runs each Bot's forwarder in
Node's vm as Medplum does; the generic HTTP runtime runs in its own process
(`uvicorn medplum_bots.runtime.http_app:app_from_env`), as in a container.

`DevLoop` (what `invoke dev` runs, on its thread) watches `src/`. Each repeat saves one bot's own
module with a new answer and measures, wall time, from just before the write until a client
polling `$execute` back to back (its token taken before the clock) first gets the new answer:

- with tests: the loop runs `pytest -k <module>` before deploying (the default);
- without tests: `--no-tests`;
- direct deploy (the bound): no loop, no watcher, no tests: a `deploy()` call right after the
  save, then `$execute` until the new answer.

The test step is also measured on its own: `pytest -k <module>` (what the loop runs) against
the whole suite, same project, same interpreter.

Target: at most 2 s from a save to the new answer, at 50 ms per request, with tests.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.standin_process import StandInProcess  # noqa: E402

PROJECT = "bench-project"
CLIENT = ("bench-client", "bench-client-secret-0123456789")
RUNTIME_KEY = "bench-runtime-key-0123456789abcdefghijkl"
SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def make_project(root: Path, base_url: str, runtime_url: str, ids: list[str]) -> None:
    write(root, "pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    write(root, "src/bots/__init__.py", "")
    write(root, "src/shared/__init__.py", "")
    write(root, "src/shared/words.py", 'def salute(name):\n    return "Hello " + name\n')
    entries = []
    for i, bot_id in enumerate(ids):
        module = f"bot{i:02d}"
        write(root, f"src/bots/{module}_answer.py", "ANSWER = 0\n")
        write(
            root,
            f"src/bots/{module}.py",
            f"""
            from bots.{module}_answer import ANSWER
            from shared.words import salute


            def handler(medplum, event):
                print("{module} ran")
                return {{"answer": ANSWER, "hello": salute("Ada")}}
            """,
        )
        write(
            root,
            f"tests/test_{module}.py",
            f"""
            from bots.{module} import handler


            def test_{module}_answers():
                assert "answer" in handler(None, None)
            """,
        )
        entries.append(
            {
                "name": f"{module}-staging",
                "id": bot_id,
                "source": f"src/bots/{module}.py",
                "dist": f"dist/bots/{module}.py",
            }
        )
    config = {
        "bots": entries,
        "environments": {
            "staging": {
                "baseUrl": base_url,
                "projectId": PROJECT,
                "runtime": {"type": "http", "url": runtime_url},
            }
        },
    }
    (root / "medplum.config.json").write_text(json.dumps(config, indent=2))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def runtime(cwd: Path, base_url: str, public_key: str) -> Iterator[str]:
    """The generic runtime in its own process; yields its URL."""
    import httpx

    port = free_port()
    env = {
        **os.environ,
        SECRET: RUNTIME_KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": base_url,
        "MEDPLUM_BOTS_TRUSTED_KEYS": public_key,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory"]
    command += ["medplum_bots.runtime.http_app:app_from_env", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--log-level", "warning"]
    cwd.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(command, cwd=cwd, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url + "/healthz", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(30)


def measure(
    root: Path,
    base_url: str,
    ids: list[str],
    environ: dict[str, str],
    tests: bool,
    repeats: int,
    start: int,
) -> list[float]:
    import httpx
    from medplum_bots.deploy.dev_loop import DevLoop
    from medplum_bots.deploy.options import Connections

    said: list[str] = []

    def say(line: str) -> None:
        said.append(f"{time.perf_counter():.3f} {line}")

    loop = DevLoop(
        root / "medplum.config.json",
        ["*"],
        "staging",
        say,
        connections=Connections(environ=environ),
        tests=tests,
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    token = httpx.post(
        base_url + "oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
        },
    ).json()["access_token"]
    api = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    thread.start()
    times: list[float] = []
    try:
        if not loop.ready.wait(120):
            raise RuntimeError(f"the first round did not finish: {said[-5:]}")
        time.sleep(0.5)  # the watcher is up
        for n in range(start, start + repeats):
            module = f"bot{n % len(ids):02d}"
            bot_id = ids[n % len(ids)]
            began = time.perf_counter()
            write(root, f"src/bots/{module}_answer.py", f"ANSWER = {n + 1}\n")
            while True:
                answer = api.post(f"fhir/R4/Bot/{bot_id}/$execute", json={})
                if answer.status_code == 200 and answer.json().get("answer") == n + 1:
                    break
                if time.perf_counter() - began > 60:
                    raise RuntimeError(f"no new answer after 60 s: {said[-5:]}")
            times.append(time.perf_counter() - began)
            if os.environ.get("BENCH_DEV_TRACE"):
                print(f"{began:.3f} saved", *said[-4:], sep="\n  ")
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(60)
        api.close()
    return times


def lower_bound(
    root: Path, base_url: str, ids: list[str], environ: dict[str, str], repeats: int
) -> list[float]:
    """No loop: the changed bot deployed by a direct `deploy()` call right after the save,
    then `$execute` until the new answer (what a save cannot beat without the loop's work)."""
    import httpx
    from medplum_bots.config import load_config
    from medplum_bots.deploy.options import Connections, DeployOptions
    from medplum_bots.deploy.orchestrate import deploy

    token = httpx.post(
        base_url + "oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
        },
    ).json()["access_token"]
    times = []
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        for n in range(200, 200 + repeats):
            module, bot_id = f"bot{n % len(ids):02d}", ids[n % len(ids)]
            began = time.perf_counter()
            write(root, f"src/bots/{module}_answer.py", f"ANSWER = {n + 1}\n")
            report = deploy(
                load_config(root / "medplum.config.json"),
                [f"{module}-staging"],
                DeployOptions(runtime_check=False),
                Connections(environ=environ),
            )
            assert report.ok, report.table()
            while api.post(f"fhir/R4/Bot/{bot_id}/$execute", json={}).json().get("answer") != n + 1:
                pass
            times.append(time.perf_counter() - began)
    return times


def test_step(root: Path, module_count: int) -> tuple[float, float]:
    """Seconds for `pytest -k <one module>` and for the whole suite (best of 3 each)."""
    from medplum_bots.config import load_config
    from medplum_bots.deploy.dev_loop import run_tests

    config = load_config(root / "medplum.config.json")
    one = [config.entry("bot00-staging")]
    selected = min(run_tests(root, one).seconds for _ in range(3))
    whole = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=root,
            capture_output=True,
            check=True,
        )
        whole.append(time.perf_counter() - began)
    return selected, min(whole)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from medplum_bots.runtime.deploy_keys import generate

    key = generate()
    environ = {
        "STAGING_MEDPLUM_CLIENT_ID": CLIENT[0],
        "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT[1],
        "STAGING_MEDPLUM_BOTS_DEPLOY_KEY": key.private,
    }
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch, StandInProcess(args.latency) as standin:
        standin.command("setup", project=PROJECT, secrets={SECRET: RUNTIME_KEY}, client=CLIENT)
        ids = standin.command("seed_bots", project=PROJECT, count=args.bots, label="dev")["ids"]
        root = Path(scratch) / "project"
        with runtime(
            Path(scratch) / "runtime", standin.base_url, f"staging={key.public}"
        ) as runtime_url:
            make_project(root, standin.base_url, runtime_url, ids)
            for label, tests, start in (("with tests", True, 0), ("without tests", False, 100)):
                times = measure(root, standin.base_url, ids, environ, tests, args.repeats, start)
                results[label] = times
            results["direct deploy"] = lower_bound(
                root, standin.base_url, ids, environ, args.repeats
            )
            selected, whole = test_step(root, args.bots)
    print(
        f"save -> new answer on $execute, {args.bots} bots, latency {args.latency * 1000:.0f} "
        f"ms per request, {args.repeats} saves each (seconds)"
    )
    for label, times in results.items():
        print(
            f"  {label:14s} median {statistics.median(times):.2f}  max {max(times):.2f}  "
            f"all {' '.join(f'{t:.2f}' for t in times)}"
        )
    print(f"test step: pytest -k <module> {selected:.2f} s, whole suite {whole:.2f} s")


if __name__ == "__main__":
    main()
