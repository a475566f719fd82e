"""The end-of-deploy table: one row per bot, failures named with a one-line reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medplum_bots.deploy.records import Provenance

FAILED = "failed"
DEPLOYED = "deployed"
CREATED = "created"
UNCHANGED = "unchanged"
WOULD_DEPLOY = "would deploy"
WOULD_CREATE = "would create"
INTERRUPTED = "interrupted"
# Changed on the server since our deploy (the Medplum app, another `$deploy`): redeployed.
DRIFTED = "drifted"
# Managed by this repository, no longer named by the config: a warning, not a failure.
ORPHANED = "orphaned"
RETIRED = "retired"  # an orphan's Subscriptions turned off and its Bot deleted


@dataclass(frozen=True)
class BotOutcome:
    """How one bot's deploy ended. `version` is the short deployed content hash."""

    bot: str
    environment: str
    result: str
    version: str = ""
    seconds: float = 0.0
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.result in (FAILED, INTERRUPTED)


@dataclass(frozen=True)
class DeployReport:
    """All outcomes of one `deploy` run, in config order."""

    outcomes: tuple[BotOutcome, ...]
    interrupted: bool = False
    provenance: Provenance | None = None  # what the Bots record as deployed (commit, dirty)

    @property
    def orphans(self) -> list[BotOutcome]:
        return [outcome for outcome in self.outcomes if outcome.result == ORPHANED]

    @property
    def failures(self) -> list[BotOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]

    @property
    def ok(self) -> bool:
        return not self.failures

    def table(self) -> str:
        """A plain-text table; `detail` (reason or planned changes) follows on its own line."""
        return format_table(self.outcomes)

    def failure_summary(self) -> str:
        """One line naming every bot that failed (or, interrupted, did not finish)."""
        if self.interrupted:
            left = [o for o in self.outcomes if o.result == INTERRUPTED]
            names = ", ".join(f"{o.bot} ({o.environment})" for o in left) or "none"
            finished = len(self.outcomes) - len(left)
            return (
                f"interrupted: {finished} of {len(self.outcomes)} bot(s) finished; "
                f"not finished: {names}"
            )
        names = ", ".join(f"{o.bot} ({o.environment})" for o in self.failures)
        return f"deploy failed for {len(self.failures)} bot(s): {names}"

    def exit_code(self) -> int:
        """0 when every bot is fine, 130 when interrupted (as for SIGINT), else 1."""
        if self.interrupted:
            return 130
        return 0 if self.ok else 1


HEADERS = ("bot", "environment", "result", "version", "seconds")


def format_table(outcomes: Sequence[BotOutcome]) -> str:
    """Aligned columns; each row's detail is indented below it."""
    rows = [
        (o.bot, o.environment, o.result, o.version or "-", f"{o.seconds:.2f}") for o in outcomes
    ]
    widths = [max(len(row[i]) for row in (HEADERS, *rows)) for i in range(len(HEADERS))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    lines = [line(HEADERS).rstrip(), line(["-" * w for w in widths])]
    for outcome, row in zip(outcomes, rows, strict=True):
        lines.append(line(row).rstrip())
        if outcome.detail:
            lines.append(f"    {outcome.detail}")
    return "\n".join(lines)
