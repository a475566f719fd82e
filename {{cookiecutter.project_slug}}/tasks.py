"""Tasks for this repository: `invoke --list` shows them, `invoke --help NAME` explains one.

Each task only parses its arguments, calls a function of `medplum_bots` and prints the result;
a tooling error becomes one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.errors import MedplumBotsError, OperationOutcomeError

T = TypeVar("T")
PY = sys.executable


def guard(call: Callable[[], T]) -> T:
    """Run `call`, turning tooling errors into a one-line message and exit code 1."""
    try:
        return call()
    except (MedplumBotsError, OperationOutcomeError) as error:
        raise Exit(f"error: {error}", code=1) from None


@task(help={"fix": "Apply ruff's fixes and formatting instead of only checking."})
def lint(c: Context, fix: bool = False) -> None:
    """Check style and types: ruff check, ruff format --check, mypy --strict."""
    if fix:
        c.run(f"{PY} -m ruff check --fix .")
        c.run(f"{PY} -m ruff format .")
    else:
        c.run(f"{PY} -m ruff check .")
        c.run(f"{PY} -m ruff format --check .")
    c.run(f"{PY} -m mypy")


@task(help={"k": "Only run tests matching this pytest -k expression."})
def test(c: Context, k: str = "") -> None:
    """Run the test suite with pytest (offline: bots run against an in-memory Medplum)."""
    selector = f" -k {k!r}" if k else ""
    c.run(f"{PY} -m pytest{selector}")
