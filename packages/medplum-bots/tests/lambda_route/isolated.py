"""Run Python as a Lambda would see an unzipped package: only that folder and the stdlib."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_isolated(
    script: str,
    *,
    stdin: str,
    cwd: Path,
    env: Mapping[str, str],
    args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """`python -I -S -c script`: no user site, no site-packages, no PYTHON* variables."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), **env},
        cwd=cwd,
        timeout=60,
    )
