"""Run a Bot's JavaScript like Medplum's `vmcontext` runtime, in a Node subprocess.

`run_vmcontext(code, payload)` feeds `vm_runner.js` the code and the execution payload the
stand-in built; the runner mirrors Medplum's sandbox and wrapper (see its header) and answers
what the bot returned, what it logged (Medplum's `logResult`, one entry per console call),
and the error message when it threw or timed out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("vm_runner.js")
# Node's own start-up, on top of the bot's timeout, before the subprocess is killed.
STARTUP_GRACE = 10.0


@dataclass(frozen=True)
class VmResult:
    """One vmcontext run: `ok` is False when the bot threw or timed out (`error` says why)."""

    ok: bool
    result: Any
    logs: list[str]
    error: str | None


def node_binary() -> str:
    """The `node` executable (Medplum's bots are JavaScript; the tests need Node >= 18)."""
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("node is not on PATH; the stand-in runs JavaScript bots with Node")
    return found


def run_vmcontext(code: str, payload: dict[str, Any], timeout: float = 10.0) -> VmResult:
    """Run `code` (CommonJS setting `exports.handler`) for one execution payload."""
    request = json.dumps({"code": code, "payload": payload, "timeoutMs": int(timeout * 1000)})
    try:
        completed = subprocess.run(
            [node_binary(), str(RUNNER)],
            input=request,
            capture_output=True,
            text=True,
            timeout=timeout + STARTUP_GRACE,
        )
    except subprocess.TimeoutExpired:
        return VmResult(False, None, [], f"Bot timed out after {timeout} s (runner killed)")
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        detail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        return VmResult(False, None, [], f"vm runner failed: {detail[0]}")
    answer = json.loads(lines[-1])
    return VmResult(
        ok=bool(answer["ok"]),
        result=answer.get("result"),
        logs=[str(line) for line in answer.get("logs") or []],
        error=answer.get("error"),
    )
