"""Tasks that talk to a Medplum server: deploy, create, execute, logs (status and retire:
`tasks.state`)."""

from __future__ import annotations

import sys
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.config import DEFAULT_RUNTIME_VERSION, RUNTIME_VERSIONS
from medplum_bots.tasks.guard import guard, print_report
from medplum_bots.tasks.state import confirmation

TIMEOUT_HELP = (
    "Seconds one request may take, retries included (default: MEDPLUM_BOTS_HTTP_TIMEOUT, else 30)."
)


@task(
    help={
        "name": "Entries to deploy: a name or a pattern with '*' (e.g. '*-staging'); repeatable. "
        "Required: use '*' for every entry.",
        "jobs": "How many bots deploy at the same time (default 32).",
        "force": "Redeploy bots whose deployed content hash already matches.",
        "dry_run": "Only print what would change; touch nothing.",
        "create": "Create Bots for entries with an empty id (needs the environment's projectId) "
        "and record their ids in medplum.config.json.",
        "no_build": "Deploy the artifacts already in dist/ instead of building first "
        "(refused when they are older than the sources).",
        "timeout": TIMEOUT_HELP,
        "no_runtime_check": "Do not ask the environment's HTTP runtime what it can run before "
        "deploying (for a machine that cannot reach it); the runtime still refuses unsigned code.",
        "prune": "Afterwards retire the orphans the deploy reports: Bots this repository manages "
        "that the config no longer names (Subscriptions off, Bot deleted; asks first).",
        "yes": "With --prune: do not ask (required without a terminal, e.g. in CI).",
    },
    iterable=["name"],
)
def deploy(
    c: Context,
    name: list[str] | None = None,
    jobs: str = "32",
    force: bool = False,
    dry_run: bool = False,
    create: bool = False,
    no_build: bool = False,
    timeout: str = "",
    no_runtime_check: bool = False,
    prune: bool = False,
    yes: bool = False,
) -> None:
    """Build, then deploy the selected bots to their environments (staging, production...).

    Ends with a table (bot, environment, result, version, seconds), orphans included; exits 1
    naming every bot that failed. Credentials: see docs/configuration.md "Credentials".
    """
    from medplum_bots.arguments import http_timeout, whole_number
    from medplum_bots.config import load_config
    from medplum_bots.deploy.orchestrate import Connections, DeployOptions
    from medplum_bots.deploy.orchestrate import deploy as run_deploy
    from medplum_bots.deploy.progress import DeployProgress

    patterns = [p.strip() for item in name or [] for p in item.split(",") if p.strip()]
    if not patterns:
        # Like Medplum's CLI, never deploy everything (production included) by omission.
        raise Exit("error: say which bots: --name NAME or a pattern, e.g. --name '*-staging'")
    options = guard(
        lambda: DeployOptions(
            jobs=whole_number("--jobs", jobs),
            force=force,
            dry_run=dry_run,
            create=create,
            build=not no_build,
            runtime_check=not no_runtime_check,
        )
    )
    connections = guard(lambda: Connections(timeout=http_timeout(timeout)))
    config = guard(load_config)
    confirm = confirmation(yes, "--prune") if prune and not dry_run else None
    progress = DeployProgress(len(guard(lambda: config.select(patterns))), sys.stderr)
    report = guard(lambda: run_deploy(config, patterns, options, connections, progress))
    progress.close()
    warning = report.provenance.warning() if report.provenance else None
    if warning:
        print(warning, file=sys.stderr)
    if confirm is not None and report.orphans:
        print(report.table())
        from medplum_bots.deploy.retire import retire as run_retire

        names = [o.bot for o in report.orphans]
        environments = sorted({o.environment for o in report.orphans})
        pruned = guard(lambda: run_retire(config, names, confirm, connections, environments))
        if pruned.outcomes:
            print_report(pruned)
        if not report.ok:
            raise Exit(f"error: {report.failure_summary()}", code=report.exit_code())
        return
    print_report(report)


@task(
    help={
        "name": "Name of the new config entry, e.g. lab-results-staging.",
        "project_id": "Medplum project id (default: the environment's projectId).",
        "source": "The bot's Python file, e.g. src/bots/lab_results.py.",
        "environment": "Environment from medplum.config.json (default: from a -<env> suffix).",
        "runtime_version": f"Bot runtimeVersion: {DEFAULT_RUNTIME_VERSION} (default), "
        + " or ".join(v for v in RUNTIME_VERSIONS if v != DEFAULT_RUNTIME_VERSION)
        + ".",
        "description": "Bot description.",
        "dist": "Artifact path under dist/ (default: the source's path with src/ replaced "
        "by dist/).",
        "timeout": TIMEOUT_HELP,
        "no_runtime_check": "Do not ask the environment's HTTP runtime what it can run first.",
    }
)
def create(
    c: Context,
    name: str,
    source: str,
    project_id: str = "",
    environment: str = "",
    runtime_version: str = DEFAULT_RUNTIME_VERSION,
    description: str = "",
    dist: str = "",
    timeout: str = "",
    no_runtime_check: bool = False,
) -> None:
    """Create a Bot (and its project membership) on Medplum, add its entry, deploy it."""
    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.create import NewBot
    from medplum_bots.deploy.create import create as run_create
    from medplum_bots.deploy.orchestrate import Connections, DeployOptions

    new_bot = NewBot(name, source, project_id, environment, runtime_version, description, dist)
    options = DeployOptions(runtime_check=not no_runtime_check)
    connections = guard(lambda: Connections(timeout=http_timeout(timeout)))
    print_report(guard(lambda: run_create(guard(load_config), new_bot, options, connections)))


@task(
    help={
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging.",
        "input": "File with the input: .json (FHIR resource or JSON), .hl7, or text.",
        "content_type": "The input's content type (default: from the file's extension).",
        "timeout": TIMEOUT_HELP,
    }
)
def execute(c: Context, name: str, input: str, content_type: str = "", timeout: str = "") -> None:
    """Run a deployed bot on Medplum through $execute and print its answer."""
    import json
    from pathlib import Path

    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.remote import ExecutionFailed
    from medplum_bots.deploy.remote import execute as run_execute

    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)

    def run() -> Any:
        try:
            return run_execute(config, name, Path(input), content_type, timeout=seconds)
        except ExecutionFailed as failed:
            # The bot's log as lines; `guard` then prints its error once (Medplum repeats it).
            for line in failed.log:
                print(f"    {line}", file=sys.stderr)
            raise

    answer = guard(run)
    print(answer if isinstance(answer, str) else json.dumps(answer, indent=2, ensure_ascii=False))


@task(
    help={
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging.",
        "limit": "How many recent executions to show (default 20).",
        "full": "Show each execution's whole log (by default only its last 4,000 characters).",
        "timeout": TIMEOUT_HELP,
    }
)
def logs(c: Context, name: str, limit: str = "20", full: bool = False, timeout: str = "") -> None:
    """Show a deployed bot's recent executions: time, outcome and log output (AuditEvents)."""
    from medplum_bots.arguments import http_timeout, whole_number
    from medplum_bots.config import load_config
    from medplum_bots.deploy.remote import format_logs
    from medplum_bots.deploy.remote import logs as read_logs

    count = guard(lambda: whole_number("--limit", limit))
    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)
    entries = guard(lambda: read_logs(config, name, count, timeout=seconds))
    print(format_logs(entries, full=full))
