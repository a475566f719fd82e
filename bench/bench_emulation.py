"""Which Medplum emulation backs the stand-in (issue 16): `python bench/bench_emulation.py`.

Runs, in the same run and on the same machine:
- the Python stand-in (`medplum_standin`, in a process of its own: `standin_process.py`), and
- the Node prototype on Medplum's `@medplum/fhir-router` (`standin_node_prototype.cjs`,
  FhirRouter + MemoryRepository, @medplum/core's validator on writes),

and prints (a) start-up time: process spawn to "listening", and what a test pays today for
its `medplum_standin` fixture (an in-process `MedplumStandIn` started, seeded and stopped),
(b) median per-request latency over keep-alive HTTP for create, read and a token search (N
each), (c) the answers both give to fidelity probes the stand-in's users depend on (strict
validation, unknown search parameters, conditional update, Binary upload, Bot operations).
Each figure is the best of `--rounds` rounds (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.standin_process import StandInProcess  # noqa: E402

NODE_SERVER = HERE / "standin_node_prototype.cjs"
FHIR_JSON = {"Content-Type": "application/fhir+json"}


def python_server() -> tuple[float, str, dict[str, str], Callable[[], None]]:
    """Start the Python stand-in: (seconds to ready, FHIR base, auth headers, stop)."""
    start = time.perf_counter()
    process = StandInProcess(latency=0.0)
    ready = time.perf_counter() - start
    process.command("setup", project="p", secrets={}, client=["c", "secret-c"])
    token = httpx.post(
        process.base_url + "oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "secret-c"},
    ).json()["access_token"]
    return ready, process.base_url + "fhir/R4/", {"Authorization": f"Bearer {token}"}, process.close


def node_server() -> tuple[float, str, dict[str, str], Callable[[], None]]:
    """Start the Node prototype: (seconds to ready, FHIR base, auth headers, stop)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        ["node", str(NODE_SERVER), "--validate"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = json.loads(process.stdout.readline())["port"]
    ready = time.perf_counter() - start

    def stop() -> None:
        process.terminate()
        process.wait(timeout=10)

    return ready, f"http://127.0.0.1:{port}/fhir/R4/", {}, stop


def latencies(client: httpx.Client, base: str, n: int) -> dict[str, float]:
    """Median milliseconds of create, read and search, n of each."""
    times: dict[str, list[float]] = {"create": [], "read": [], "search": []}
    ids = []
    for i in range(n):
        patient = {
            "resourceType": "Patient",
            "identifier": [{"system": "urn:bench", "value": str(i)}],
            "name": [{"family": f"Bench{i}"}],
        }
        start = time.perf_counter()
        answer = client.post(base + "Patient", json=patient, headers=FHIR_JSON)
        times["create"].append(time.perf_counter() - start)
        ids.append(answer.json()["id"])
    for i, id in enumerate(ids):
        start = time.perf_counter()
        client.get(base + f"Patient/{id}").raise_for_status()
        times["read"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.get(base + "Patient", params={"identifier": f"urn:bench|{i}"}).raise_for_status()
        times["search"].append(time.perf_counter() - start)
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


UNKNOWN_FIELD = {"resourceType": "Patient", "bogusField": 1}
BAD_CODE = {"resourceType": "Patient", "gender": "robot"}
BAD_BOT = {"resourceType": "Bot", "name": "b", "runtime": "x"}
PROBES: list[tuple[str, str, str, dict[str, str], Any]] = [
    ("create with an unknown field", "POST", "Patient", {}, UNKNOWN_FIELD),
    ("create with a bad code", "POST", "Patient", {}, BAD_CODE),
    (
        "conditional update that creates, invalid",
        "PUT",
        "Patient?identifier=urn:probe|1",
        {},
        {"resourceType": "Patient", "gender": "robot", "bogusField": 1},
    ),
    ("Bot with an unknown field", "POST", "Bot", {}, BAD_BOT),
    ("unknown search parameter", "GET", "Patient?bogus=1", {}, None),
    ("Binary upload (raw body)", "POST", "Binary", {"Content-Type": "text/plain"}, "hello"),
    ("Bot $execute", "POST", "Bot/missing/$execute", {}, {}),
]


def probe(client: httpx.Client, base: str) -> list[int]:
    """The status each probe answers with."""
    statuses = []
    for _, method, path, headers, body in PROBES:
        if isinstance(body, str):
            answer = client.request(method, base + path, content=body, headers=headers)
        elif body is None:
            answer = client.request(method, base + path)
        else:
            answer = client.request(method, base + path, json=body, headers=FHIR_JSON)
        statuses.append(answer.status_code)
    return statuses


def fixture_cost(rounds: int = 20) -> float:
    """Seconds for what the `medplum_standin` fixture does: start, seed, stop (best)."""
    from medplum_standin import MedplumStandIn

    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        with MedplumStandIn() as standin:
            standin.add_project("project-1")
            standin.add_client("client-1", "client-secret-1", "project-1")
        best = min(best, time.perf_counter() - start)
    return best


def measure(
    start: Callable[[], tuple[float, str, dict[str, str], Callable[[], None]]], n: int
) -> tuple[float, dict[str, float], list[int]]:
    """One round against a fresh server: ready time, latencies, probe answers."""
    ready, base, auth, stop = start()
    try:
        with httpx.Client(headers=auth, timeout=30) as client:
            return ready, latencies(client, base, n), probe(client, base)
    finally:
        stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=300, help="requests of each kind")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, tuple[float, dict[str, float], list[int]]] = {}
    for name, start in (("python stand-in", python_server), ("node fhir-router", node_server)):
        runs = [measure(start, args.n) for _ in range(args.rounds)]
        best = {k: min(run[1][k] for run in runs) for k in runs[0][1]}
        rows[name] = (min(run[0] for run in runs), best, runs[0][2])
    header = f"{'server':18} {'ready ms':>9} {'create':>8} {'read':>8} {'search':>8}"
    print(f"{header}  (median ms, n={args.n})")
    for name, (ready, times, _) in rows.items():
        print(
            f"{name:18} {ready * 1000:9.0f} {times['create']:8.2f} {times['read']:8.2f}"
            f" {times['search']:8.2f}"
        )
    print(f"\nin-process stand-in fixture (start, seed, stop): {fixture_cost() * 1000:.1f} ms")
    print("\nfidelity probes (HTTP status):")
    for index, (label, *_rest) in enumerate(PROBES):
        answers = "  ".join(f"{name}: {row[2][index]}" for name, row in rows.items())
        print(f"  {label:42} {answers}")


if __name__ == "__main__":
    main()
