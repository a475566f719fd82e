"""How a task ends on a tooling error: one line on stderr and exit code 1, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from invoke.exceptions import Exit

from medplum_bots.errors import MedplumBotsError, OperationOutcomeError

if TYPE_CHECKING:
    from medplum_bots.deploy.report import DeployReport

T = TypeVar("T")


def guard(call: Callable[[], T]) -> T:
    """Run `call`, turning tooling errors into a one-line message and exit code 1."""
    try:
        return call()
    except (MedplumBotsError, OperationOutcomeError) as error:
        raise Exit(f"error: {error}", code=1) from None


def print_report(report: DeployReport) -> None:
    """Print a deploy's table; exit naming every bot that failed (the report's exit code)."""
    print(report.table())
    if not report.ok:
        raise Exit(f"error: {report.failure_summary()}", code=report.exit_code())
