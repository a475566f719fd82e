"""Benchmark of `invoke deploy` against the official CLI (not a test).

    python bench/bench_deploy.py [--bots 50] [--latency 0.05] [--repeats 3] [--also-jobs 8,16]

N changed bots (default 50) are deployed to the loopback Medplum stand-in, run in a process of
its own (`bench/standin_process.py`) and sleeping `--latency` (default 50 ms) on every request,
like a remote server. Measured in one run, against the same stand-in, whole processes, wall
time, best of `--repeats`, every repeat on freshly created Bots (so every bot has changed):

- ours: `python -m invoke deploy --name '*-staging'` in a generated project holding N Python
  bots, default flags (it builds first, and asks the environment's runtime what it can run:
  a real generic runtime, `uvicorn medplum_bots.runtime.http_app:app_from_env`, on loopback),
  run in the virtual environment a generated project has (build/gen-venv: medplum-bots from
  its wheel and the project's dev dependencies, nothing of the template's);
- official CLI: `@medplum/cli` from npm (root package.json), `medplum bot deploy '*'` run by
  Node (its bin script, no npx) in a folder holding N JavaScript bots and the
  medplum.config.json it reads; credentials from MEDPLUM_BASE_URL / MEDPLUM_CLIENT_ID /
  MEDPLUM_CLIENT_SECRET, HOME a scratch folder emptied before each run (it stores its login
  under ~/.medplum), as on a CI runner;
- lower bound: authentication plus one bot's critical path (token, read the Bot, `$deploy`,
  one update), back to back by a client built before the clock starts: no deploy can beat it;
- redeploy: ours again over the same, unchanged bots: round trips sent;
- cold start: fresh interpreters (the project's environment) importing what a deployed bot
  imports.

Target: ours at least 15x faster than the official CLI, whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.standin_process import StandInProcess  # noqa: E402

CLI = ROOT / "node_modules" / "@medplum" / "cli"
SECRET_NAME = "MEDPLUM_BOTS_RUNTIME_KEY"
RUNTIME_KEY = "bench-runtime-key-0123456789abcdefghijkl"
PROJECT_ID = "bench-project"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-client-secret-0123456789"


# -- the two projects ------------------------------------------------------------------------


def prepare_ours(scratch: Path, bots: int, base_url: str, runtime_url: str) -> Path:
    """Render the default project, add N Python bots and a one-environment config."""
    from tests.template import render

    project = render(scratch / "ours")
    (project / "src/shared/bench_util.py").write_text(
        "def greet(name: str) -> str:\n    return 'Hello ' + name\n"
    )
    for index in range(bots):
        (project / f"src/bots/bench_{index:03}.py").write_text(
            textwrap.dedent(
                f"""
                from typing import Any

                from shared.bench_util import greet


                def handler(medplum: Any, event: Any) -> str:
                    return greet("bot {index}")
                """
            ).lstrip()
        )
    environments = {
        "staging": {
            "baseUrl": base_url,
            "projectId": PROJECT_ID,
            "credentials": {"prefix": "STAGING_"},
            "runtime": {"type": "http", "url": runtime_url, "secretName": SECRET_NAME},
        }
    }
    config = {"bots": [], "environments": environments}
    (project / "medplum.config.json").write_text(json.dumps(config, indent=2))
    return project


def write_ours_entries(project: Path, ids: list[str]) -> None:
    entries = [
        {
            "name": f"bench-{index:03}-staging",
            "id": bot_id,
            "source": f"src/bots/bench_{index:03}.py",
            "dist": f"dist/bots/bench_{index:03}.py",
            "environment": "staging",
            "description": f"benchmark bot {index}",
            "timeout": 10,
        }
        for index, bot_id in enumerate(ids)
    ]
    path = project / "medplum.config.json"
    config = json.loads(path.read_text())
    config["bots"] = entries
    path.write_text(json.dumps(config, indent=2))


def prepare_cli(scratch: Path, bots: int) -> Path:
    """A folder like Medplum's bot starter after `npm run build`: source and built JavaScript."""
    folder = scratch / "cli"
    for sub in ("src", "dist", "home"):
        (folder / sub).mkdir(parents=True)
    for index in range(bots):
        (folder / f"src/bench_{index:03}.ts").write_text(
            "export async function handler(): Promise<string> {\n"
            f"  return 'Hello bot {index}';\n}}\n"
        )
        (folder / f"dist/bench_{index:03}.js").write_text(
            f"exports.handler = async function handler() {{\n  return 'Hello bot {index}';\n}};\n"
        )
    return folder


def write_cli_config(folder: Path, ids: list[str]) -> None:
    entries = [
        {
            "name": f"bench-{index:03}",
            "id": bot_id,
            "source": f"src/bench_{index:03}.ts",
            "dist": f"dist/bench_{index:03}.js",
        }
        for index, bot_id in enumerate(ids)
    ]
    (folder / "medplum.config.json").write_text(json.dumps({"bots": entries}, indent=2))


# -- whole processes ---------------------------------------------------------------------------


def seed_bots(standin: StandInProcess, count: int, label: str) -> list[str]:
    ids: list[str] = standin.command("seed_bots", count=count, label=label, project=PROJECT_ID)[
        "ids"
    ]
    return ids


def timed(
    standin: StandInProcess, command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, list[list[Any]], str]:
    """Run `command` to completion: wall seconds, the requests it sent, its output."""
    since = standin.command("requests")["count"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    log: list[list[Any]] = standin.command("log", since=since)["log"]
    return seconds, log, done.stdout


def project_python() -> str:
    """The interpreter of the environment a generated project has (build/gen-venv)."""
    from tests.template import gen_python

    return str(gen_python())


def ours_command(jobs: int | None = None) -> list[str]:
    flags = ["--jobs", str(jobs)] if jobs else []
    return [project_python(), "-m", "invoke", "deploy", "--name", "*-staging", *flags]


def ours_env(base: dict[str, str], project: Path, deploy_key: str) -> dict[str, str]:
    from tests.template import project_env

    return {
        **project_env(project, base),
        "STAGING_MEDPLUM_CLIENT_ID": CLIENT_ID,
        "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT_SECRET,
        "STAGING_MEDPLUM_BOTS_DEPLOY_KEY": deploy_key,
    }


@contextmanager
def generic_runtime(port: int, trusted: str, allowed: str) -> Iterator[str]:
    """The generic HTTP runtime, as the container runs it, on loopback; yields its URL."""
    env = {
        **os.environ,
        "MEDPLUM_BOTS_RUNTIME_KEY": RUNTIME_KEY,
        "MEDPLUM_BOTS_TRUSTED_KEYS": trusted,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": allowed,
    }
    command = [project_python(), "-m", "uvicorn", "--factory"]
    command += ["medplum_bots.runtime.http_app:app_from_env", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("the generic runtime did not start")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_env(base: dict[str, str], folder: Path, base_url: str) -> dict[str, str]:
    return {
        **base,
        "HOME": str(folder / "home"),
        "MEDPLUM_BASE_URL": base_url,
        "MEDPLUM_CLIENT_ID": CLIENT_ID,
        "MEDPLUM_CLIENT_SECRET": CLIENT_SECRET,
    }


def check_ours(output: str, bots: int, result: str) -> None:
    rows = [line for line in output.splitlines() if line.startswith("bench-")]
    if len(rows) != bots or not all(f" {result} " in f" {row} " for row in rows):
        raise SystemExit(f"expected {bots} bots {result}, got:\n{output}")


def check_cli(output: str, bots: int) -> None:
    if f"Number of bots deployed: {bots}" not in output or "Number of errors: 0" not in output:
        raise SystemExit(f"the official CLI did not deploy {bots} bots:\n{output}")


def lower_bound(base_url: str, bot_id: str, repeats: int = 3) -> float:
    """Authentication plus one bot's critical path, back to back (best of `repeats`); the
    client (and its connection pool) is built before the clock starts."""
    from medplum_bots.client import MedplumClient
    from medplum_bots.runtime.forwarder import forwarder_code

    code = forwarder_code("https://runtime.example.com/", "bench_000", SECRET_NAME)
    best = float("inf")
    for _ in range(repeats):
        with MedplumClient(base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as client:
            start = time.perf_counter()
            client.login_client_credentials()
            client.read_resource("Bot", bot_id)
            client.post(f"fhir/R4/Bot/{bot_id}/$deploy", {"code": code, "filename": "index.js"})
            client.patch_resource("Bot", bot_id, [{"op": "add", "path": "/timeout", "value": 10}])
            best = min(best, time.perf_counter() - start)
    return best


def request_kinds(log: list[list[Any]]) -> str:
    """`POST /fhir/R4/Bot/<id>/$deploy 50, ...`: what a run sent, ids folded."""
    kinds = Counter(
        f"{method} {re.sub(r'/[0-9a-f]{8}-[0-9a-f-]{27}', '/{id}', path)}"
        + ("" if status < 400 else f" ({status})")
        for method, path, status in log
    )
    return ", ".join(f"{kind} x{count}" for kind, count in kinds.items())


# -- cold start ------------------------------------------------------------------------------


def fresh_ms(code: str, cwd: Path, runs: int) -> float:
    """Median wall time of `python -c code` in fresh interpreters of the project's environment."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([project_python(), "-c", code], cwd=cwd, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def import_ms(module: str, cwd: Path, runs: int) -> dict[str, float]:
    """Median cumulative import times (ms) `python -X importtime -c 'import module'` reports
    for `module` and for the heavy packages under it."""
    watched = (module, "httpx", "httpx._main", "asyncio")
    samples: dict[str, list[float]] = {name: [] for name in watched}
    for _ in range(runs):
        done = subprocess.run(
            [project_python(), "-X", "importtime", "-c", f"import {module}"],
            cwd=cwd,
            check=True,
            capture_output=True,
            text=True,
        )
        seen: dict[str, float] = {}
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$", line)
            if found and found.group(2) in samples:
                seen[found.group(2)] = int(found.group(1)) / 1000
        for name in watched:
            samples[name].append(seen.get(name, 0.0))
    return {name: statistics.median(values) for name, values in samples.items()}


# -- the run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=50, help="how many bots (default 50)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per request (default 0.05)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each (best counts)")
    parser.add_argument(
        "--also-jobs",
        default="",
        help="comma-separated --jobs values to measure ours with too (e.g. 8,16,50)",
    )
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per cold start")
    args = parser.parse_args()
    n = args.bots
    node = shutil.which("node")
    if node is None or not (CLI / "package.json").exists():
        raise SystemExit("needs node and `npm ci` at the repository root (@medplum/cli)")
    cli_version = json.loads((CLI / "package.json").read_text())["version"]
    cli_bin = str(CLI / "dist" / "cjs" / "index.cjs")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("MEDPLUM_")}

    with (
        ExitStack() as stack,
        tempfile.TemporaryDirectory() as scratch,
        StandInProcess(args.latency) as medplum,
    ):
        medplum.command(
            "setup",
            project=PROJECT_ID,
            secrets={SECRET_NAME: RUNTIME_KEY},
            client=[CLIENT_ID, CLIENT_SECRET],
        )
        from medplum_bots.runtime.deploy_keys import generate

        pair = generate()
        runtime = stack.enter_context(
            generic_runtime(free_port(), f"staging={pair.public}", medplum.base_url)
        )
        project = prepare_ours(Path(scratch), n, medplum.base_url, runtime)
        folder = prepare_cli(Path(scratch), n)
        env_ours = ours_env(base_env, project, pair.private)
        env_cli = cli_env(base_env, folder, medplum.base_url)

        also = [int(j) for j in args.also_jobs.split(",") if j.strip()]
        ours_runs: list[float] = []
        cli_runs: list[float] = []
        ours_log: list[list[Any]] = []
        cli_log: list[list[Any]] = []
        jobs_runs: dict[int, list[float]] = {jobs: [] for jobs in also}
        for repeat in range(args.repeats):
            write_ours_entries(project, seed_bots(medplum, n, f"ours-{repeat}"))
            seconds, ours_log, output = timed(medplum, ours_command(), project, env_ours)
            check_ours(output, n, "deployed")
            ours_runs.append(seconds)
            for jobs in also:
                write_ours_entries(project, seed_bots(medplum, n, f"ours-{jobs}-{repeat}"))
                seconds, _, output = timed(medplum, ours_command(jobs), project, env_ours)
                check_ours(output, n, "deployed")
                jobs_runs[jobs].append(seconds)
            write_cli_config(folder, seed_bots(medplum, n, f"cli-{repeat}"))
            # As on a CI runner: no login stored by the previous run (~/.medplum).
            shutil.rmtree(folder / "home" / ".medplum", ignore_errors=True)
            seconds, cli_log, output = timed(
                medplum, [node, cli_bin, "bot", "deploy", "*"], folder, env_cli
            )
            check_cli(output, n)
            cli_runs.append(seconds)
        redeploy, redeploy_log, output = timed(medplum, ours_command(), project, env_ours)
        check_ours(output, n, "unchanged")
        bound = lower_bound(medplum.base_url, seed_bots(medplum, 1, "bound")[0])

        artifact = project / "dist" / "bots" / "bench_000.py"
        load_code = (
            "from pathlib import Path; from medplum_bots.build.loader import load_artifact; "
            f"load_artifact(Path({str(artifact)!r}))"
        )
        empty = fresh_ms("pass", project, args.runs)
        package = fresh_ms("import medplum_bots", project, args.runs)
        loaded = fresh_ms(load_code, project, args.runs)
        imports = import_ms("medplum_bots", project, args.runs)

    ours, cli = min(ours_runs), min(cli_runs)
    load = os.getloadavg()[0]
    print(
        f"deploy of {n} changed bots, {args.latency * 1000:.0f} ms per request "
        f"(loopback stand-in), whole processes, best of {args.repeats}; "
        f"{os.cpu_count()} cores, load average {load:.1f}"
    )
    rows = [
        (
            f"ours: invoke deploy, default flags ({len(ours_log)} requests)",
            f"{ours:.3f} s  (runs: {', '.join(f'{s:.2f}' for s in ours_runs)})",
        ),
        *(
            (
                f"  ours with --jobs {jobs}",
                f"{min(runs):.3f} s  (runs: {', '.join(f'{s:.2f}' for s in runs)})",
            )
            for jobs, runs in jobs_runs.items()
        ),
        (
            f"official CLI {cli_version}: bot deploy '*' ({len(cli_log)} requests)",
            f"{cli:.3f} s  (runs: {', '.join(f'{s:.2f}' for s in cli_runs)})",
        ),
        ("lower bound (auth + one bot's path)", f"{bound:.3f} s"),
        (
            f"redeploy of {n} unchanged bots (ours)",
            f"{redeploy:.3f} s, {len(redeploy_log)} requests",
        ),
    ]
    for label, value in rows:
        print(f"  {label:<52} {value}")
    print(f"  requests, ours: {request_kinds(ours_log)}")
    print(f"  requests, official CLI: {request_kinds(cli_log)}")
    print(f"cold start, median of {args.runs} fresh interpreters:")
    cold = [
        ("python -c pass", f"{empty:.1f} ms"),
        ("python -c 'import medplum_bots'", f"{package:.1f} ms"),
        ("load a built artifact (bench_000)", f"{loaded:.1f} ms"),
        (
            "-X importtime: medplum_bots",
            f"{imports['medplum_bots']:.1f} ms (httpx {imports['httpx']:.1f}, of which its CLI "
            f"httpx._main {imports['httpx._main']:.1f}; asyncio {imports['asyncio']:.1f})",
        ),
    ]
    for label, value in cold:
        print(f"  {label:<52} {value}")
    speedup = cli / ours
    print("targets:")
    checks = [
        (">= 15x faster than the official CLI", f"{speedup:.1f}x", speedup >= 15),
        ("redeploy <= 3 round trips", str(len(redeploy_log)), len(redeploy_log) <= 3),
    ]
    for label, value, ok in checks:
        print(f"  {label:<40} {value:>7}  {'ok' if ok else 'MISSED'}")
    print(f"  ours / lower bound: {ours / bound:.2f}x")


if __name__ == "__main__":
    main()
