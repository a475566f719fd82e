"""Benchmark of `invoke deploy` (not a test): `python bench/bench_deploy.py [--bots 50]`.

N bots (default 50, each importing a shared module) are deployed to the loopback Medplum
stand-in, which sleeps `--latency` (default 50 ms) on every request, like a remote server.
Measured in one run, against the same stand-in:

- ours: the deployer, artifacts already built (as CI does after `invoke build`), with
  `--jobs N` (all bots in flight) and with the default `--jobs 8`;
- sequential: the official CLI's strategy replayed (log in once, then bot after bot: read the
  Bot, upload the source Binary, update the Bot, `$deploy`), same code, same server;
- lower bound: one bot's critical path plus authentication (token, read the Bot, `$deploy`,
  one update), sent back to back by a bare client: no deploy of N bots can beat it;
- redeploy: the same N bots again, unchanged: round trips sent (target: at most 3).

Targets: ours >= 8x faster than sequential; ours within 1.5x of the lower bound.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.standin_process import StandInProcess  # noqa: E402

RUNTIME_URL = "https://runtime.example.com/"
SECRET_NAME = "MEDPLUM_BOTS_RUNTIME_KEY"
PROJECT_ID = "bench-project"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-client-secret-0123456789"


def prepare_project(scratch: Path, bots: int, base_url: str) -> Path:
    """Render the default project (for its tooling), add N bots and a one-environment config."""
    sys.path.insert(0, str(ROOT))
    from tests.template import render

    project = render(scratch)
    sys.path[:0] = [str(project / "src"), str(project)]
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
            "runtime": {"type": "http", "url": RUNTIME_URL, "secretName": SECRET_NAME},
        }
    }
    config = {"bots": [], "environments": environments}
    (project / "medplum.config.json").write_text(json.dumps(config, indent=2))
    return project


def write_entries(project: Path, ids: list[str]) -> None:
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


def seed_bots(standin: StandInProcess, count: int, label: str) -> list[str]:
    ids: list[str] = standin.command("seed_bots", count=count, label=label, project=PROJECT_ID)[
        "ids"
    ]
    return ids


def sequential_cli(base_url: str, project: Path, ids: list[str]) -> float:
    """The official CLI's order: one bot after another, four round trips each."""
    from medplum_bots.client import MedplumClient
    from medplum_bots.runtime.forwarder import forwarder_code

    start = time.perf_counter()
    with MedplumClient(base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as client:
        client.login_client_credentials()
        for index, bot_id in enumerate(ids):
            name = f"bench_{index:03}"
            bot = client.read_resource("Bot", bot_id)
            source = (project / f"src/bots/{name}.py").read_bytes()
            bot["sourceCode"] = client.create_attachment(source, "text/x-python", f"{name}.py")
            client.update_resource(bot)
            code = forwarder_code(RUNTIME_URL, name, SECRET_NAME)
            client.post(f"fhir/R4/Bot/{bot_id}/$deploy", {"code": code, "filename": "index.js"})
    return time.perf_counter() - start


def lower_bound(base_url: str, bot_id: str, repeats: int = 3) -> float:
    """Authentication plus one bot's critical path, back to back (best of `repeats`)."""
    from medplum_bots.client import MedplumClient
    from medplum_bots.runtime.forwarder import forwarder_code

    code = forwarder_code(RUNTIME_URL, "bench_000", SECRET_NAME)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        with MedplumClient(base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as client:
            client.login_client_credentials()
            client.read_resource("Bot", bot_id)
            client.post(f"fhir/R4/Bot/{bot_id}/$deploy", {"code": code, "filename": "index.js"})
            client.patch_resource("Bot", bot_id, [{"op": "add", "path": "/timeout", "value": 10}])
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=50, help="how many bots (default 50)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds per request (default 0.05)"
    )
    args = parser.parse_args()
    n = args.bots
    with tempfile.TemporaryDirectory() as scratch, StandInProcess(args.latency) as medplum:
        medplum.command(
            "setup",
            project=PROJECT_ID,
            secrets={SECRET_NAME: "bench-runtime-key-0123456789"},
            client=[CLIENT_ID, CLIENT_SECRET],
        )
        project = prepare_project(Path(scratch), n, medplum.base_url)

        from medplum_bots.build.bundle import build_all
        from medplum_bots.config import load_config
        from medplum_bots.deploy.orchestrate import Connections, DeployOptions, deploy

        ours_ids = seed_bots(medplum, n, "ours")
        write_entries(project, ours_ids)
        config = load_config(project / "medplum.config.json")
        started = time.perf_counter()
        build_all(config, [])
        build_seconds = time.perf_counter() - started
        from medplum_bots.runtime.deploy_keys import generate

        connections = Connections(
            environ={
                "STAGING_MEDPLUM_CLIENT_ID": CLIENT_ID,
                "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT_SECRET,
                "STAGING_MEDPLUM_BOTS_DEPLOY_KEY": generate().private,
            }
        )

        server_cpu = float("inf")

        def ours(**options: Any) -> tuple[float, int, list[str]]:
            nonlocal server_cpu
            before = medplum.command("requests")
            start = time.perf_counter()
            # RUNTIME_URL serves nothing (and is not loopback): never ask it.
            report = deploy(
                config,
                [],
                DeployOptions(build=False, runtime_check=False, **options),
                connections,
            )
            seconds = time.perf_counter() - start
            if not report.ok:
                raise SystemExit(f"deploy failed:\n{report.table()}")
            after = medplum.command("requests")
            if options.get("jobs") == n and report.outcomes[0].result == "deployed":
                server_cpu = min(server_cpu, after["cpu"] - before["cpu"])
            return seconds, after["count"] - before["count"], [o.result for o in report.outcomes]

        # Best of three, like the lower bound (the first run also pays one-time imports and
        # the TLS context); the later runs use --force so every bot is deployed again.
        first_run, all_requests, first = ours(jobs=n)
        all_in_flight = min([first_run] + [ours(jobs=n, force=True)[0] for _ in range(2)])
        default_jobs = min(ours(jobs=8, force=True)[0] for _ in range(3))
        redeploy, redeploy_requests, again = ours(jobs=n)
        sequential = sequential_cli(medplum.base_url, project, seed_bots(medplum, n, "cli"))
        bound = lower_bound(medplum.base_url, seed_bots(medplum, 1, "bound")[0])

    assert set(first) == {"deployed"} and set(again) == {"unchanged"}, (first, again)
    speedup = sequential / all_in_flight
    to_bound = all_in_flight / bound
    rows = [
        (f"build of {n} artifacts (before deploying)", f"{build_seconds:.3f} s"),
        (f"ours, --jobs {n} ({all_requests} requests)", f"{all_in_flight:.3f} s"),
        ("ours, --jobs 8 (the default)", f"{default_jobs:.3f} s"),
        ("sequential (official CLI strategy)", f"{sequential:.3f} s"),
        ("lower bound (auth + one bot's path)", f"{bound:.3f} s"),
        ("stand-in CPU while serving our run", f"{server_cpu:.3f} s"),
        (f"redeploy of {n} unchanged bots", f"{redeploy:.3f} s, {redeploy_requests} requests"),
    ]
    print(f"deploy of {n} bots, {args.latency * 1000:.0f} ms per request (loopback stand-in)")
    for label, value in rows:
        print(f"  {label:<44} {value}")
    print("targets:")
    checks = [
        (">= 8x faster than sequential", f"{speedup:.1f}x", speedup >= 8),
        ("<= 1.5x the lower bound", f"{to_bound:.2f}x", to_bound <= 1.5),
        ("redeploy <= 3 round trips", str(redeploy_requests), redeploy_requests <= 3),
    ]
    for label, value, ok in checks:
        print(f"  {label:<32} {value:>7}  {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
