"""Tasks about what runs on Medplum compared with this repository: status, retire."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.tasks.guard import guard, print_report

if TYPE_CHECKING:
    from medplum_bots.deploy.retire import Confirm

YES_HELP = "Do not ask: retire what is found (required without a terminal, e.g. in CI)."


def confirmation(yes: bool, what: str) -> Confirm:
    """A `retire.Confirm`: True with --yes, else asks in a terminal; without one, Exit."""
    if not yes and not sys.stdin.isatty():
        raise Exit(f"error: {what} deletes Bots: run it again with --yes (no terminal to ask in)")

    def confirm(bots: Sequence[str]) -> bool:
        if yes:
            return True
        listing = "\n  ".join(bots)
        print(
            f"Subscriptions turned off and Bots deleted:\n  {listing}", file=sys.stderr, flush=True
        )
        return input("Retire them? [y/N] ").strip().lower() in ("y", "yes")

    return confirm


@task(
    help={
        "name": "Entries to show: a name or a pattern with '*'; repeatable (default: all).",
        "no_build": "Compare the artifacts already in dist/ instead of building first.",
    },
    iterable=["name"],
)
def status(c: Context, name: list[str] | None = None, no_build: bool = False) -> None:
    """Per environment and bot: deployed, changed locally, drifted, missing or orphaned,
    with the commit and time of its deploy. Read-only."""
    from medplum_bots.config import load_config
    from medplum_bots.deploy.options import Connections
    from medplum_bots.deploy.status import format_status
    from medplum_bots.deploy.status import status as run_status

    patterns = [p.strip() for item in name or [] for p in item.split(",") if p.strip()]
    config = guard(load_config)
    rows = guard(lambda: run_status(config, patterns, Connections(), build=not no_build))
    print(format_status(rows))


@task(
    help={
        "name": "A bot removed from medplum.config.json whose Bot still exists; repeatable.",
        "environment": "Only in these environments (default: every configured one); repeatable.",
        "yes": YES_HELP,
    },
    iterable=["name", "environment"],
)
def retire(
    c: Context,
    name: list[str] | None = None,
    environment: list[str] | None = None,
    yes: bool = False,
) -> None:
    """Turn off the Subscriptions of bots the config no longer names and delete their Bots."""
    from medplum_bots.config import load_config
    from medplum_bots.deploy.options import Connections
    from medplum_bots.deploy.retire import check_retirable
    from medplum_bots.deploy.retire import retire as run_retire

    names = [n.strip() for item in name or [] for n in item.split(",") if n.strip()]
    if not names:
        raise Exit("error: say which bot: --name NAME (one that medplum.config.json no longer has)")
    config = guard(load_config)
    guard(lambda: check_retirable(config, names))
    confirm = confirmation(yes, "invoke retire")
    report = guard(lambda: run_retire(config, names, confirm, Connections(), environment or ()))
    if not report.outcomes:
        print("nothing retired")
        return
    print_report(report)
