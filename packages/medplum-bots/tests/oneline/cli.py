"""Run the package's invoke tasks as a user does: `invoke ...` in its own process, in a
project directory whose tasks.py is the generated one's (the package's namespace)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

TASKS_PY = "from medplum_bots.tasks import namespace\n\nns = namespace\n"


def invoke(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m invoke ARGS` in `root` (a tasks.py is written when there is none)."""
    if not (root / "tasks.py").exists():
        (root / "tasks.py").write_text(TASKS_PY, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.endswith("MEDPLUM_CLIENT_SECRET")}
    environ.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=root,
        env=environ,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one `error: ...` line a failed task prints (there must be exactly one)."""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    # The tooling's own traceback (a bot's log, shown indented, may hold the bot's).
    assert not any(line.startswith("Traceback") for line in done.stderr.splitlines()), done.stderr
    return errors[0]
