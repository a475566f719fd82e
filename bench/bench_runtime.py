"""Benchmark of the Python runtime (not a test): `python bench/bench_runtime.py [--quick]`.

(a) The first bot of a freshly generated project, built into its artifact, run
    - in-process through the adapter (`execute`): the baseline;
    - through the generic HTTP runtime (uvicorn in its own process, the container's command)
      on loopback, each request carrying the signed artifact as the forwarder sends it, from a
      minimal keep-alive HTTP/1.1 client,
    sequentially (latency p50/p99, the added latency is the difference) and with concurrent
    callers (throughput).
(b) Cold start: importing the built hello-patient artifact in fresh interpreters, against an
    empty interpreter's start-up measured in the same run.
(c) The first call after a deploy: a new version of the artifact (new content hash) the
    running runtime has never seen, verified and loaded on that call, against a warm call.
(d) `$execute` on the Medplum stand-in (the Bot's code run in a Node vm, like vmcontext): the
    Python bot deployed with its forwarder against the same bot written in JavaScript.
(e) `$execute` of a bot with 400 KB of source against the hello bot, both Python, same
    stand-in and runtime: the forwarder sends the artifact once per runtime (after), and the
    same forwarder made to send it with every execution (before).
(f) The hello bot's latency alone, then while 40 executions of a bot that never returns are
    in flight (each holding a worker or waiting for one of its bot's).
(g) The supervisor <-> worker IPC alone: one execution's frames over a socketpair.
(h) (a)'s sealed runtime again with its store in a local redis-server (replicas' shared
    replay memory and deploy marks) against the in-process store of (a).

(a) and (c) run twice in one run: "before" is the same runtime with bots run in its own
process (`isolation="in-process"`, the runtime before sealed workers), "after" the default.

Every figure is printed with its ratio to a baseline of the same run. Targets: p50 overhead
< 3 ms, >= 1000 invocations/s on two cores, artifact import < 50 ms, first call after a
deploy < 50 ms.
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
BASE_URL = "https://medplum.local/"
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


DEPLOY_KEY: Any = None


def deploy_key() -> Any:
    global DEPLOY_KEY
    if DEPLOY_KEY is None:
        from medplum_bots.runtime.deploy_keys import generate

        DEPLOY_KEY = generate()
    return DEPLOY_KEY


ENVIRONMENT = "bench"


def signed(artifact_text: bytes, name: str, bot_id: str = "local") -> Any:
    """What `invoke deploy` embeds in the forwarder: the artifact and its deploy signature
    (for Bot/local, the Bot `make_payload` names, unless told)."""
    from medplum_bots.runtime.deploy_keys import load_private
    from medplum_bots.runtime.forwarder import CarriedArtifact

    return CarriedArtifact.sign(
        artifact_text,
        load_private(deploy_key().private),
        environment=ENVIRONMENT,
        bot=name,
        bot_id=bot_id,
        sequence=1,
    )


def carried(artifact_text: bytes, name: str) -> dict[str, Any]:
    """What the forwarder sends when the runtime asks for the artifact: reference + file."""
    answer: dict[str, Any] = signed(artifact_text, name).with_code()
    return answer


def referenced(artifact_text: bytes, name: str) -> dict[str, Any]:
    """What the forwarder sends once the runtime holds the artifact: the reference alone."""
    answer: dict[str, Any] = signed(artifact_text, name).reference()
    return answer


def payload_bytes(counter: int, artifact: dict[str, Any]) -> bytes:
    """A distinct payload per call (the runtime refuses a replayed signature)."""
    from medplum_bots.runtime.adapter import make_payload

    payload = make_payload(PATIENT, base_url=BASE_URL, trace_id=f"bench-{counter}")
    payload["artifact"] = artifact
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


def in_process_app() -> Any:
    """uvicorn factory for the "before" runtime: the same app, bots run in its own process
    (`isolation="in-process"`, what the runtime did before sealed workers)."""
    from medplum_bots.runtime.http_app import app_from_settings, settings_from_env

    return app_from_settings(settings_from_env(), isolation="in-process")


SEALED = "medplum_bots.runtime.http_app:app_from_env"
IN_PROCESS = "bench_runtime:in_process_app"


def start_runtime(
    project: Path,
    port: int,
    also_allowed: str,
    factory: str = SEALED,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = {
        **(extra_env or {}),
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project / "src"), str(project), str(ROOT / "bench")]),
        "MEDPLUM_BOTS_RUNTIME_KEY": KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": f"{BASE_URL},{also_allowed}",
        "MEDPLUM_BOTS_ALLOW_PLAIN_HTTP": "1",  # BASE_URL is never contacted
        "MEDPLUM_BOTS_TRUSTED_KEYS": f"{ENVIRONMENT}={deploy_key().public}",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--http",
        "medplum_bots.runtime.http_guard:GuardedH11Protocol",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "2",
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

        headers = signature_headers(KEY.encode(), path.rsplit("/", 1)[1], body)
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


def over_http(port: int, calls: int, concurrency: int, name: str, text: bytes) -> dict[str, float]:
    # The first call brings the artifact, every later one its reference (the forwarder's way).
    bodies = [payload_bytes(0, carried(text, name))]
    reference = referenced(text, name)
    bodies += [payload_bytes(i, reference) for i in range(1, 2 * calls + 200)]
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


def first_calls(port: int, name: str, text: bytes, versions: int) -> tuple[float, float]:
    """Median ms of the first call of `versions` never-seen artifact versions, and of a warm
    call of each right after."""

    async def run() -> tuple[list[float], list[float]]:
        connection = await Connection.open(port)
        first: list[float] = []
        warm: list[float] = []
        for version in range(versions):
            # A deploy of changed code: same bot, new bytes, new hash, new signature.
            artifact = carried(text + f"# deploy {version}\n".encode(), name)
            for times in (first, warm):
                body = payload_bytes(10_000_000 + 2 * version + (times is warm), artifact)
                start = time.perf_counter()
                await connection.post(f"/bots/{name}", body)
                times.append(time.perf_counter() - start)
        connection.close()
        return first, warm

    first, warm = asyncio.run(run())
    return statistics.median(first) * 1000, statistics.median(warm) * 1000


# -- $execute on the stand-in: Python (forwarder -> runtime) against the same bot in JS -------

HELLO_JS = """
exports.handler = async (medplum, event) => {
  const patient = event.input;
  const name = (patient.name || [{}])[0];
  const first = (name.given || [''])[0];
  console.log('Hello ' + first + ' ' + (name.family || '') + '!');
  return true;
};
"""


def standin_execute(
    standin: Any, port: int, name: str, text: bytes, calls: int
) -> tuple[float, float]:
    """Median ms of `$execute` for the Python bot and for its JavaScript twin."""
    import httpx
    from medplum_bots.runtime.forwarder import forwarder_code

    secret = "MEDPLUM_BOTS_RUNTIME_KEY"
    if True:
        standin.add_project("bench", secrets={secret: KEY})
        standin.add_client("bench-client", "bench-client-secret-0123", "bench")
        token = httpx.post(
            standin.base_url + "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "bench-client",
                "client_secret": "bench-client-secret-0123",
            },
        ).json()["access_token"]
        medians = []
        with httpx.Client(
            base_url=standin.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            for label in ("python", "javascript"):
                bot = standin.seed(
                    {"resourceType": "Bot", "name": label, "runtimeVersion": "vmcontext"}, "bench"
                )
                code = HELLO_JS
                if label == "python":
                    artifact = signed(text, name, bot["id"])
                    code = forwarder_code(f"http://127.0.0.1:{port}", name, secret, artifact)
                assert api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": code}).is_success
                times = []
                for _ in range(calls + 3):
                    start = time.perf_counter()
                    answer = api.post(f"fhir/R4/Bot/{bot['id']}/$execute", json=PATIENT)
                    times.append(time.perf_counter() - start)
                    assert answer.status_code == 200, answer.text
                medians.append(statistics.median(times[3:]) * 1000)
    return medians[0], medians[1]


# -- (e) a 400 KB bot: the artifact crosses once per runtime, not with every execution --------

BIG_SHARED = "src/shared/big_table.py"
BIG_BOT = """from shared.big_table import TABLE


def handler(medplum, event):
    print("rows", len(TABLE))
    return True
"""


def big_artifact(project: Path, size: int = 400_000) -> bytes:
    """A bot importing a shared module of `size` bytes of source (a data table), built."""
    from medplum_bots.build.bundle import render_artifact

    rows: list[str] = []
    total = 0
    while total < size:
        row = f"    ({len(rows)}, {'code-' + str(len(rows)).zfill(8)!r}, {'x' * 60!r}),\n"
        rows.append(row)
        total += len(row)
    (project / BIG_SHARED).write_text("TABLE = [\n" + "".join(rows) + "]\n")
    source = project / "src" / "bots" / "big_bot.py"
    source.write_text(BIG_BOT)
    return render_artifact(source, project, "big_bot")[0].encode()


def large_bot_execute(
    standin: Any, port: int, hello: bytes, big: bytes, calls: int
) -> dict[str, float]:
    """Median ms of `$execute` for the hello bot and the 400 KB bot, both through their
    forwarders, the artifact sent once per runtime (`after`) or with every execution (the
    same forwarder made to always send it: `before`), interleaved call by call."""
    import httpx
    from medplum_bots.runtime.forwarder import forwarder_code

    secret = "MEDPLUM_BOTS_RUNTIME_KEY"
    standin.add_project("large", secrets={secret: KEY})
    standin.add_client("large-client", "large-client-secret-0123", "large")
    token = httpx.post(
        standin.base_url + "oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "large-client",
            "client_secret": "large-client-secret-0123",
        },
    ).json()["access_token"]
    cases = {
        "hello": ("my_first_bot", hello, False),
        "big": ("big_bot", big, False),
        "hello, artifact every call": ("my_first_bot", hello, True),
        "big, artifact every call": ("big_bot", big, True),
    }
    bots: dict[str, str] = {}
    times: dict[str, list[float]] = {label: [] for label in cases}
    with httpx.Client(
        base_url=standin.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        for label, (name, text, every_call) in cases.items():
            bot = standin.seed(
                {"resourceType": "Bot", "name": name, "runtimeVersion": "vmcontext"}, "large"
            )
            code = forwarder_code(
                f"http://127.0.0.1:{port}", name, secret, signed(text, name, bot["id"])
            )
            if every_call:  # the protocol before: the whole artifact with each execution
                code = code.replace("await send(false);", "await send(true);")
                assert "await send(true);" in code
            assert api.post(f"fhir/R4/Bot/{bot['id']}/$deploy", json={"code": code}).is_success
            bots[label] = bot["id"]
        for round_ in range(calls + 3):
            for label, bot_id in bots.items():
                start = time.perf_counter()
                answer = api.post(f"fhir/R4/Bot/{bot_id}/$execute", json=PATIENT)
                elapsed = time.perf_counter() - start
                assert answer.status_code == 200, answer.text
                if round_ >= 3:  # the first calls load the artifacts
                    times[label].append(elapsed)
    return {label: statistics.median(samples) * 1000 for label, samples in times.items()}


def large_bot_hop(port: int, hello: bytes, big: bytes, calls: int) -> dict[str, float]:
    """The forwarder -> runtime hop alone (no Node, no stand-in): median ms of a signed
    execution posted on a keep-alive connection, with the reference alone or with the file."""
    cases = {
        "hello": ("my_first_bot", hello, False),
        "big": ("big_bot", big, False),
        "hello, artifact every call": ("my_first_bot", hello, True),
        "big, artifact every call": ("big_bot", big, True),
    }

    async def run() -> dict[str, float]:
        connection = await Connection.open(port)
        medians = {}
        for n, (label, (name, text, every_call)) in enumerate(cases.items()):
            first = 20_000_000 + n * 1_000_000  # distinct payloads: replays are refused
            await connection.post(f"/bots/{name}", payload_bytes(first, carried(text, name)))
            artifact = carried(text, name) if every_call else referenced(text, name)
            times = []
            for i in range(calls):
                body = payload_bytes(first + 1 + i, artifact)
                start = time.perf_counter()
                await connection.post(f"/bots/{name}", body)
                times.append(time.perf_counter() - start)
            medians[label] = statistics.median(times) * 1000
        connection.close()
        return medians

    return asyncio.run(run())


# -- (f) a healthy bot while a stuck bot has 40 executions in flight ---------------------------

STUCK_BOT = """import time


def handler(medplum, event):
    print("stuck")
    while True:
        time.sleep(0.05)
"""


def stuck_artifact(project: Path) -> bytes:
    from medplum_bots.build.bundle import render_artifact

    source = project / "src" / "bots" / "stuck_bot.py"
    source.write_text(STUCK_BOT)
    return render_artifact(source, project, "stuck_bot")[0].encode()


def healthy_while_stuck(
    port: int, hello: bytes, stuck: bytes, calls: int, in_flight: int = 40
) -> dict[str, float]:
    """p50/p99 ms of the hello bot alone, then while `in_flight` executions of a bot that
    never returns (timeout 60 s) hold their workers or wait for one."""
    from medplum_bots.runtime.adapter import make_payload
    from medplum_bots.runtime.signing import signature_headers

    async def timed(start: int) -> list[float]:
        connection = await Connection.open(port)
        reference = referenced(hello, "my_first_bot")
        times = []
        for i in range(calls):
            body = payload_bytes(start + i, reference)
            began = time.perf_counter()
            await connection.post("/bots/my_first_bot", body)
            times.append(time.perf_counter() - began)
        connection.close()
        return times

    async def run() -> tuple[list[float], list[float]]:
        alone = await timed(30_000_000)
        writers = []
        for n in range(in_flight):
            payload = make_payload(PATIENT, base_url=BASE_URL, trace_id=f"stuck-{n}")
            payload["artifact"] = carried(stuck, "stuck_bot")
            payload["timeout"] = 60
            body = json.dumps(payload).encode()
            headers = signature_headers(KEY.encode(), "stuck_bot", body)
            head = (
                "POST /bots/stuck_bot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                + "\r\n"
            )
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head.encode() + body)
            writers.append(writer)
        await asyncio.sleep(1.0)  # every stuck execution started or queued
        during = await timed(31_000_000)
        for writer in writers:
            writer.close()
        return alone, during

    alone, during = asyncio.run(run())
    return {
        "alone p50": percentile(alone, 0.5) * 1000,
        "alone p99": percentile(alone, 0.99) * 1000,
        "stuck p50": percentile(during, 0.5) * 1000,
        "stuck p99": percentile(during, 0.99) * 1000,
    }


# -- (g) the supervisor <-> worker frame round trip -------------------------------------------


def ipc_round_trip(calls: int) -> float:
    """Median microseconds of one execution's frames (payload out, result back) over a
    socketpair to an echoing thread: the IPC's share of a warm execution."""
    import threading

    from medplum_bots.runtime import ipc
    from medplum_bots.runtime.adapter import make_payload

    ours, theirs = socket.socketpair()
    payload = make_payload(PATIENT, base_url=BASE_URL, access_token="t" * 200)
    result = {"ok": True, "result": True, "logs": ["Hello Jane Doe!"], "outcome": None}

    def echo() -> None:
        try:
            while True:
                ipc.recv_frame(theirs)
                theirs.sendall(ipc.encode({"log": "Hello Jane Doe!\n"}))
                theirs.sendall(ipc.encode({"done": result, "retire": False}))
        except ipc.PeerGone:
            return

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        ours.sendall(ipc.encode({"run": payload}))
        ipc.recv_frame(ours)
        ipc.recv_frame(ours)
        times.append(time.perf_counter() - start)
    ours.close()
    thread.join(5)
    theirs.close()
    return statistics.median(times) * 1e6


# -- (h) the shared store: replays and deploy marks in Redis --------------------------------


def redis_store_cost(
    project: Path, also_allowed: str, text: bytes, calls: int, concurrency: int
) -> dict[str, float] | None:
    """(a)'s sealed-worker runtime with `MEDPLUM_BOTS_REDIS_URL` set: one Lua script per
    execution on a local redis-server (no persistence). None without redis-server."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        print("(h) skipped: redis-server is not installed")
        return None
    redis_port = free_port()
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"]
    redis = subprocess.Popen(
        [binary, "--port", str(redis_port), *options], stdout=subprocess.DEVNULL
    )
    port = free_port()
    try:
        time.sleep(0.3)
        url = f"redis://127.0.0.1:{redis_port}/0"
        server = start_runtime(
            project, port, also_allowed, extra_env={"MEDPLUM_BOTS_REDIS_URL": url}
        )
        try:
            return over_http(port, calls, concurrency, "my_first_bot", text)
        finally:
            server.terminate()
            server.wait(10)
    finally:
        redis.terminate()
        redis.wait(10)


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
        "import pathlib, medplum_bots.build.loader as b; "
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
        text = artifact.read_bytes()
        port = free_port()
        from medplum_standin import MedplumStandIn

        standin = MedplumStandIn().__enter__()
        versions = 10 if args.quick else 30
        # Before: the same runtime running bots in its own process (no sealed workers).
        before_port = free_port()
        before_server = start_runtime(project, before_port, standin.base_url, IN_PROCESS)
        try:
            http_before = over_http(before_port, calls, concurrency, "my_first_bot", text)
            first_before, warm_before = first_calls(before_port, "my_first_bot", text, versions)
        finally:
            before_server.terminate()
            before_server.wait(10)
        ipc_us = ipc_round_trip(calls)
        stuck = stuck_artifact(project)
        server = start_runtime(project, port, standin.base_url)
        try:
            http = over_http(port, calls, concurrency, "my_first_bot", text)
            first_ms, warm_ms = first_calls(port, "my_first_bot", text, versions)
            python_ms, js_ms = standin_execute(
                standin, port, "my_first_bot", text, 10 if args.quick else 40
            )
            big = big_artifact(project)
            large = large_bot_execute(standin, port, text, big, 10 if args.quick else 40)
            hop = large_bot_hop(port, text, big, 100 if args.quick else 1000)
            while_stuck = healthy_while_stuck(port, text, stuck, 200 if args.quick else 1000)
        finally:
            server.terminate()
            server.wait(10)
            standin.__exit__(None, None, None)
        with_redis = redis_store_cost(project, BASE_URL, text, calls, concurrency)

        print(f"\n(a) {calls} sequential calls; throughput with {concurrency} concurrent callers")
        print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'inv/s':>9}")
        rows_a = (
            ("in-process (adapter)", base),
            ("HTTP, bots in-process (before)", http_before),
            ("HTTP, sealed workers (after)", http),
        )
        for label, row in rows_a:
            print(f"{label:34}{row['p50']:9.3f}{row['p99']:9.3f}{row['throughput']:9.0f}")
        print(
            f"sealed workers add p50 {http['p50'] - http_before['p50']:.3f} ms, p99 "
            f"{http['p99'] - http_before['p99']:.3f} ms over the in-process runtime "
            f"(target <= 1 ms); throughput {http['throughput']:.0f} inv/s "
            f"({http['throughput'] / http_before['throughput']:.2f}x of before, target >= 1000)"
        )
        print(f"IPC round trip (payload out, log + result back, socketpair): {ipc_us:.0f} us")

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

        print("\n(c) first call after a deploy (new artifact: verify + load), median of versions")
        print(f"before: first call {first_before:8.2f} ms, next call {warm_before:8.2f} ms")
        print(
            f"after:  first call {first_ms:8.2f} ms (a worker forked from the zygote, the "
            f"artifact loaded in it; target <= 50), next call {warm_ms:8.2f} ms"
        )

        print("\n(d) $execute on the stand-in (Node vm per execution), median")
        print(f"JavaScript bot                {js_ms:8.2f} ms  baseline")
        print(f"Python bot (forwarder+runtime){python_ms:8.2f} ms  {python_ms / js_ms:.2f}x")

        print(
            f"\n(e) $execute by bot size ({len(big) / 1000:.0f} KB artifact), median, interleaved"
        )
        for title, figures in (("$execute on the stand-in", large), ("runtime hop alone", hop)):
            print(title)
            for label, value in figures.items():
                ratio = value / figures["hello"]
                print(f"  {label:28}{value:8.2f} ms  {ratio:.2f}x of hello (target big <= 1.2x)")

        print("\n(f) the hello bot while a stuck bot has 40 executions in flight (sleeping)")
        print(
            f"alone        p50 {while_stuck['alone p50']:6.3f} ms  p99 "
            f"{while_stuck['alone p99']:6.3f} ms\n"
            f"while stuck  p50 {while_stuck['stuck p50']:6.3f} ms  p99 "
            f"{while_stuck['stuck p99']:6.3f} ms  (target: p99 unchanged)"
        )

        if with_redis is not None:
            print("\n(h) the store: (a)'s sealed runtime, in-process store against Redis (local)")
            for label, row in (("in-process store", http), ("Redis store", with_redis)):
                print(f"{label:34}{row['p50']:9.3f}{row['p99']:9.3f}{row['throughput']:9.0f}")
            print(
                f"Redis adds p50 {with_redis['p50'] - http['p50']:.3f} ms; throughput "
                f"{with_redis['throughput'] / http['throughput']:.2f}x"
            )


if __name__ == "__main__":
    main()
