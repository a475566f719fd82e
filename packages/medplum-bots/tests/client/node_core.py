"""Runs JavaScript against @medplum/core (the npm package, a test input) under Node."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fhir.oracle import REPO_ROOT, require_node_modules

HERE = Path(__file__).resolve().parent


def run_node(script: str, payload: Any, *, file: bool = False) -> Any:
    """Run `script` (JavaScript source, or a file of this folder when `file`) with `payload`
    as JSON on stdin; its stdout parsed as JSON."""
    require_node_modules()
    command = ["node", str(HERE / script)] if file else ["node", "-e", script]
    done = subprocess.run(
        command,
        input=json.dumps(payload).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"node failed: {done.stderr.decode(errors='replace')[:2000]}")
    return json.loads(done.stdout)
