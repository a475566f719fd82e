"""Benchmark of the Python runtime (not a test): `python bench/bench_runtime.py [--quick]`.

(a) The first bot of a freshly generated project, built into its artifact, run
    - in-process through the adapter (`execute`): the baseline;
    - through the HTTP runtime (uvicorn in its own process, the container's command) on
      loopback, with signed requests from a minimal keep-alive HTTP/1.1 client,
    sequentially (latency p50/p99, the added latency is the difference) and with concurrent
    callers (throughput).
(b) Cold start: importing the built hello-patient artifact in fresh interpreters, against an
    empty interpreter's start-up measured in the same run.

Every figure is printed with its ratio to the in-process baseline of the same run. Targets:
p50 overhead < 3 ms, >= 1000 invocations/s on two cores, artifact import < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEY = "benchmark-runtime-key-0123456789abcdefghij"
BASE_URL = "http://medplum.local/"
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Jane"], "family": "Doe"}]}


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def prepare_project(scratch: Path) -> Path:
    """Render the default project, put its tooling on sys.path, build its bots."""
    sys.path.insert(0, str(ROOT))
    from tests.template import render

    project = render(scratch)
    sys.path[:0] = [str(project / "src"), str(project)]
    from medplum_bots.build.bundle import build_all
    from medplum_bots.config import load_config

    build_all(load_config(project / "medplum.config.json"), [])
    return project


def payload_bytes(counter: int) -> bytes:
    """A distinct payload per call (the runtime refuses a replayed signature)."""
    from medplum_bots.runtime.adapter import make_payload

    payload = make_payload(PATIENT, base_url=BASE_URL, trace_id=f"bench-{counter}")
    return json.dumps(payload).encode()


# -- in-process baseline ----------------------------------------------------------------------


def in_process(handler: Callable[..., Any], calls: int, concurrency: int) -> dict[str, float]:
    from medplum_bots.runtime.adapter import execute, make_payload

    payloads = [make_payload(PATIENT, base_url=BASE_URL, trace_id=f"in-{i}") for i in range(calls)]

    async def sequential() -> list[float]:
        times = []
        for payload in payloads:
            start = time.perf_counter()
            result = await execute(handler, payload)
            times.append(time.perf_counter() - start)
            assert result.ok, result.outcome
        return times

    async def concurrent() -> float:
        queue = iter(payloads)

        async def worker() -> None:
            for payload in queue:
                assert (await execute(handler, payload)).ok

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return calls / (time.perf_counter() - start)

    times = asyncio.run(sequential())
    return {
        "p50": percentile(times, 0.5) * 1000,
        "p99": percentile(times, 0.99) * 1000,
        "throughput": asyncio.run(concurrent()),
    }


# -- through the HTTP runtime -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_runtime(project: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{project / 'src'}{os.pathsep}{project}",
        "MEDPLUM_BOTS_RUNTIME_KEY": KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": BASE_URL,
        "MEDPLUM_BOTS_DIST": str(project / "dist"),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "medplum_bots.runtime.http_app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=project, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the runtime did not start")


class Connection:
    """One keep-alive HTTP/1.1 connection posting signed payloads (minimal client cost)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def post(self, path: str, body: bytes) -> dict[str, Any]:
        from medplum_bots.runtime.signing import signature_headers

        headers = signature_headers(KEY.encode(), body)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            + "\r\n"
        )
        self.writer.write(head.encode() + body)
        status_and_headers = await self.reader.readuntil(b"\r\n\r\n")
        status = int(status_and_headers.split(b" ", 2)[1])
        length = 0
        for line in status_and_headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        answer: dict[str, Any] = json.loads(await self.reader.readexactly(length))
        if status != 200 or not answer.get("ok"):
            raise RuntimeError(f"runtime answered {status}: {answer}")
        return answer

    def close(self) -> None:
        self.writer.close()


def over_http(port: int, calls: int, concurrency: int, name: str) -> dict[str, float]:
    bodies = [payload_bytes(i) for i in range(2 * calls + 200)]
    path = f"/bots/{name}"

    async def sequential() -> list[float]:
        connection = await Connection.open(port)
        for body in bodies[:100]:  # warm-up
            await connection.post(path, body)
        times = []
        for body in bodies[100 : 100 + calls]:
            start = time.perf_counter()
            await connection.post(path, body)
            times.append(time.perf_counter() - start)
        connection.close()
        return times

    async def concurrent() -> float:
        queue = iter(bodies[100 + calls :])
        connections = [await Connection.open(port) for _ in range(concurrency)]

        async def worker(connection: Connection) -> None:
            for body in queue:
                await connection.post(path, body)

        start = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in connections))
        elapsed = time.perf_counter() - start
        for connection in connections:
            connection.close()
        return (len(bodies) - 100 - calls) / elapsed

    times = asyncio.run(sequential())
    return {
        "p50": percentile(times, 0.5) * 1000,
        "p99": percentile(times, 0.99) * 1000,
        "throughput": asyncio.run(concurrent()),
    }


# -- cold start -------------------------------------------------------------------------------


def interpreter_env(project: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": f"{project / 'src'}{os.pathsep}{project}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def warm_bytecode(project: Path, artifact: Path) -> None:
    """Compile the tooling once, as `pip install` does for an installed package."""
    env = {**interpreter_env(project)}
    env.pop("PYTHONDONTWRITEBYTECODE")
    code = (
        "import pathlib, medplum_bots.build.bundle as b; "
        f"b.load_artifact(pathlib.Path({str(artifact)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=project, env=env, check=True)


def fresh_process_ms(project: Path, code: str, runs: int) -> float:
    """Median wall time of `python -c code` in fresh interpreters."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], cwd=project, env=interpreter_env(project), check=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def inner_ms(project: Path, setup: str, measured: str, runs: int) -> float:
    """Median time of `measured` inside fresh interpreters, after `setup` ran there."""
    code = (
        f"import time\n{setup}\nstart = time.perf_counter()\n{measured}\n"
        "print((time.perf_counter() - start) * 1000)"
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=project,
            env=interpreter_env(project),
            check=True,
            capture_output=True,
        )
        times.append(float(done.stdout.decode().strip().splitlines()[-1]))
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args(argv)
    calls, concurrency, runs = (300, 16, 5) if args.quick else (2000, 32, 15)

    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as scratch:
        project = prepare_project(Path(scratch))
        from medplum_bots.build.loader import load_artifact

        artifact = project / "dist" / "bots" / "my_first_bot.py"
        handler = load_artifact(artifact).handler
        cores = os.cpu_count()
        print(f"python {sys.version.split()[0]}, {cores} cores, bot: my_first_bot (prints 1 line)")

        base = in_process(handler, calls, concurrency)
        port = free_port()
        server = start_runtime(project, port)
        try:
            http = over_http(port, calls, concurrency, "my_first_bot")
        finally:
            server.terminate()
            server.wait(10)

        print(f"\n(a) {calls} sequential calls; throughput with {concurrency} concurrent callers")
        print(f"{'':24}{'p50 ms':>9}{'p99 ms':>9}{'inv/s':>9}")
        for label, row in (("in-process (adapter)", base), ("HTTP runtime, loopback", http)):
            print(f"{label:24}{row['p50']:9.3f}{row['p99']:9.3f}{row['throughput']:9.0f}")
        overhead = http["p50"] - base["p50"]
        print(
            f"added latency p50 {overhead:.3f} ms (target < 3), "
            f"p99 {http['p99'] - base['p99']:.3f} ms; latency ratio p50 "
            f"{http['p50'] / base['p50']:.1f}x; throughput ratio "
            f"{http['throughput'] / base['throughput']:.2f} "
            f"({http['throughput']:.0f} inv/s, target >= 1000)"
        )

        warm_bytecode(project, artifact)
        load = f"b.load_artifact(Path({str(artifact)!r}))"
        empty = fresh_process_ms(project, "pass", runs)
        httpx_ms = inner_ms(project, "", "import httpx", runs)
        whole = inner_ms(
            project,
            "from pathlib import Path",
            f"import medplum_bots.build.loader as b; {load}",
            runs,
        )
        artifact_only = inner_ms(
            project,
            "from pathlib import Path\nimport medplum_bots, medplum_bots.build.loader as b",
            load,
            runs,
        )
        print(f"\n(b) cold start, median of {runs} fresh interpreters (bytecode compiled)")
        rows = [
            ("empty interpreter start-up", empty, "baseline"),
            ("import httpx alone", httpx_ms, f"{httpx_ms / empty:.1f}x"),
            ("load the artifact, tooling + httpx incl.", whole, f"{whole / empty:.1f}x"),
            ("  of which the tooling beyond httpx", whole - httpx_ms, ""),
            ("load the artifact, tooling imported", artifact_only, "target < 50"),
        ]
        for label, value, note in rows:
            print(f"{label:44}{value:8.1f} ms  {note}")


if __name__ == "__main__":
    main()
