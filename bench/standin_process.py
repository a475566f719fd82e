"""The loopback Medplum stand-in in a process of its own, driven by JSON lines on stdin.

Benchmarks run the server apart from the client they measure, as a real Medplum is: in one
process the two would share one interpreter lock, and the server's own work would be billed
to the client. Commands (one JSON object per line; one JSON answer per line):

    {"op": "setup", "project": ID, "secrets": {...}, "client": [ID, SECRET]}
    {"op": "seed_bots", "count": N, "label": TEXT}    -> {"ids": [...]}
    {"op": "requests"}                 -> {"count": N, "cpu": S}  (requests served, CPU seconds)
    {"op": "log", "since": N}          -> {"log": [[METHOD, PATH, STATUS], ...]}  (N on)

The first line written is `{"base_url": ...}`; end of input stops the server.
"""

from __future__ import annotations

import argparse
import json
import socketserver
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def serve(latency: float) -> None:
    """Run the stand-in until stdin closes, answering commands."""
    sys.path.insert(0, str(ROOT))
    # Python's HTTP server writes an answer's headers and body separately; with Nagle's
    # algorithm on, the body waits for the client's delayed ACK (~40 ms on Linux), a fixed cost
    # per request on top of the latency a benchmark injects.
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    from medplum_standin import MedplumStandIn

    with MedplumStandIn(latency=latency) as medplum:
        print(json.dumps({"base_url": medplum.base_url}), flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            answer: dict[str, Any] = {"ok": True}
            if command["op"] == "setup":
                medplum.add_project(command["project"], secrets=command.get("secrets"))
                client_id, client_secret = command["client"]
                medplum.add_client(client_id, client_secret, command["project"])
            elif command["op"] == "seed_bots":
                bots = [
                    medplum.seed(
                        {
                            "resourceType": "Bot",
                            "name": f"{command['label']}-{i}",
                            "runtimeVersion": "awslambda",
                        },
                        command["project"],
                    )
                    for i in range(command["count"])
                ]
                answer = {"ids": [bot["id"] for bot in bots]}
            elif command["op"] == "requests":
                answer = {"count": len(medplum.requests), "cpu": time.process_time()}
            elif command["op"] == "log":
                served = medplum.requests[command.get("since", 0) :]
                answer = {"log": [[r.method, r.path, r.status] for r in served]}
            print(json.dumps(answer), flush=True)


class StandInProcess:
    """Client side: start the server process, send commands, stop it."""

    def __init__(self, latency: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--latency", str(latency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url: str = self._read()["base_url"]

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in process exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def command(self, op: str, **fields: Any) -> dict[str, Any]:
        """Send one command and return its answer."""
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self._process.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Close stdin (the server stops) and wait for the process."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=30)

    def __enter__(self) -> StandInProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the Medplum stand-in (benchmarks).")
    parser.add_argument("--latency", type=float, default=0.0)
    serve(parser.parse_args().latency)
