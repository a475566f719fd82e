"""Benchmark of the lock tools (not a test): `python bench/bench_lock.py`.

Why the generated project locks with pip-tools rather than uv, in numbers. On the default
generated project (medplum-bots from this checkout's wheel by --find-links, every other package
from the package index, whose downloads are cached after the first round), in the same run:
(a) resolving the dev lock (every extra, with hashes): `pip-compile` without a lock, `pip-compile`
    with the lock in place (what `invoke lock` does after a pyproject.toml change), and
    `uv pip compile`;
(b) installing that lock hash-checked into a fresh venv: `pip install --require-hashes` (what
    scripts/install-locked.sh runs) and `uv pip install --require-hashes`.
Needs `uv` on PATH or in this venv (`pip install uv`: bench only). Best of 3.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.template import WHEELS, render, wheel  # noqa: E402

ROUNDS = 3
# pip reads every configured index as one; uv by default takes a package from the first index
# that has it. Same candidates for both: uv's pip-like strategy.
UV_INDEXES = ("--index-strategy", "unsafe-best-match")


def uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if not found:
        sys.exit("bench_lock needs uv: pip install uv")
    return found


def best(label: str, run: Callable[[], None], before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(ROUNDS):
        if before:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(f"{label:<55} {min(times):6.2f} s")
    return min(times)


def call(*command: str, cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)


def main() -> None:
    wheel()
    scratch = Path(tempfile.mkdtemp(prefix="bench-lock-"))
    project = render(scratch / "gen")
    lock = project / "requirements-dev.txt"
    compile_args = ("--generate-hashes", "--all-extras", "--find-links", str(WHEELS))
    pip_compile: tuple[str, ...] = (sys.executable, "-m", "piptools", "compile", "--quiet")
    pip_compile += (
        "--allow-unsafe",
        "--strip-extras",
        *compile_args,
        "-o",
        str(lock),
        "pyproject.toml",
    )
    uv_compile: tuple[str, ...] = (
        uv(),
        "pip",
        "compile",
        "--quiet",
        *UV_INDEXES,
        *compile_args,
        "-o",
        str(lock),
    )
    uv_compile += ("pyproject.toml",)

    def remove_lock() -> None:
        lock.unlink(missing_ok=True)

    print("(a) resolving the dev lock, with hashes")
    best("pip-compile, no lock yet", lambda: call(*pip_compile, cwd=project), remove_lock)
    best("pip-compile, lock in place (invoke lock)", lambda: call(*pip_compile, cwd=project))
    best("uv pip compile, no lock yet", lambda: call(*uv_compile, cwd=project), remove_lock)
    call(*pip_compile, cwd=project)  # the lock both installs below use

    venv = scratch / "venv"

    def fresh_venv() -> None:
        shutil.rmtree(venv, ignore_errors=True)
        call(sys.executable, "-m", "venv", str(venv), cwd=scratch)

    python = str(venv / "bin" / "python")
    pip_install: tuple[str, ...] = (python, "-m", "pip", "install", "-q")
    pip_install += ("--disable-pip-version-check",)
    pip_install += ("--require-hashes", "-r", str(lock), "--find-links", str(WHEELS))
    uv_install: tuple[str, ...] = (
        uv(),
        "pip",
        "install",
        "-q",
        *UV_INDEXES,
        "--python",
        python,
        "--require-hashes",
    )
    uv_install += ("-r", str(lock), "--find-links", str(WHEELS))
    print("(b) installing it hash-checked into a fresh venv (downloads cached)")
    best("pip install --require-hashes", lambda: call(*pip_install, cwd=project), fresh_venv)
    best("uv pip install --require-hashes", lambda: call(*uv_install, cwd=project), fresh_venv)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
