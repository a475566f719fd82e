"""Tasks that talk to a Medplum server: deploy, create, execute, logs (status and retire:
`tasks.state`)."""

from __future__ import annotations

import sys
from typing import Any

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.config import DEFAULT_RUNTIME_VERSION, RUNTIME_VERSIONS, ProjectConfig
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
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging; with --follow "
        "a pattern with '*' too (e.g. '*-staging').",
        "limit": "How many recent executions to show (default 20).",
        "full": "Show each execution's whole log (by default only its last 4,000 characters).",
        "follow": "Keep printing new executions as they happen (Ctrl-C to stop).",
        "timeout": TIMEOUT_HELP,
    }
)
def logs(
    c: Context,
    name: str,
    limit: str = "20",
    full: bool = False,
    follow: bool = False,
    timeout: str = "",
) -> None:
    """Show a deployed bot's recent executions: time, outcome and log output (AuditEvents)."""
    from medplum_bots.arguments import http_timeout, whole_number
    from medplum_bots.config import load_config
    from medplum_bots.deploy.remote import format_logs
    from medplum_bots.deploy.remote import logs as read_logs

    count = guard(lambda: whole_number("--limit", limit))
    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)
    if follow:
        _follow_logs(config, name, count, seconds, full)
        return
    print(format_logs(guard(lambda: read_logs(config, name, count, timeout=seconds)), full=full))


def _follow_logs(
    config: ProjectConfig, pattern: str, limit: int, timeout: float, full: bool
) -> None:
    import threading

    from medplum_bots.deploy.follow import Printer, follow, open_tails

    entries = guard(lambda: config.select([pattern]))
    tails = guard(lambda: open_tails(config, entries, timeout=timeout))
    printer = Printer(full=full)
    stop = threading.Event()
    try:
        for tail in tails:
            for followed in guard(lambda tail=tail: tail.recent(limit)):  # type: ignore[misc]
                printer(followed)
        names = ", ".join(entry.name for entry in entries)
        print(f"following {names} (Ctrl-C to stop)", file=sys.stderr)
        guard(lambda: follow(tails, printer, stop, on_error=lambda m: print(m, file=sys.stderr)))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        for tail in tails:
            tail.client.close()


@task(
    help={
        "environment": "The environment of medplum.config.json to set up, e.g. staging.",
        "force": "Rewrite an existing .env.<environment> that lacks something (its values are "
        "kept), and set the Project secret to the file's runtime key when they differ.",
        "timeout": TIMEOUT_HELP,
    }
)
def setup(c: Context, environment: str, force: bool = False, timeout: str = "") -> None:
    """Set up an environment for deploys: checks the client, makes the runtime request key and
    the deploy key pair, sets the Project secret, writes .env.<environment> (mode 0600).

    Prints what the runtime and the CI environment need, by name; never a secret. Running it
    again changes nothing.
    """
    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.setup import setup_environment

    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)
    result = guard(lambda: setup_environment(config, environment, force=force, timeout=seconds))
    print("\n".join(result.lines()))


@task(
    help={
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging.",
        "to": "The deploy to go back to: its number in the list, or a prefix of its hash or "
        "commit (default: the deploy before the one running).",
        "list": "Only list the deploys; change nothing.",
        "timeout": TIMEOUT_HELP,
        "no_runtime_check": "Do not ask the environment's HTTP runtime what it can run first.",
    }
)
def rollback(
    c: Context,
    name: str,
    to: str = "",
    list: bool = False,
    timeout: str = "",
    no_runtime_check: bool = False,
) -> None:
    """Deploy an earlier version of a bot again (its code, signed anew): a new deploy.

    Lists the deploys the Bot's history records (* marks the one running), then deploys the
    chosen one. The next `invoke deploy` brings the repository's code back.
    """
    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.options import Connections, DeployOptions
    from medplum_bots.deploy.rollback import rollback as run_rollback

    connections = guard(lambda: Connections(timeout=http_timeout(timeout)))
    options = DeployOptions(runtime_check=not no_runtime_check)
    config = guard(load_config)
    listing = guard(lambda: run_rollback(config, name, list_only=True, connections=connections))
    print("\n".join(v.line() for v in listing.versions) or "no deploys recorded on the Bot")
    if list:
        return
    done = guard(lambda: run_rollback(config, name, to, options=options, connections=connections))
    assert done.chosen is not None and done.report is not None
    print(f"rolled back {name} to deploy {done.chosen.number} ({done.chosen.hash[:12]})")
    print_report(done.report)


@task(
    help={
        "name": "Entries to work on: a name or a pattern with '*'; repeatable (default: all of "
        "the environment).",
        "environment": "Where the bots go: an environment of medplum.config.json (default "
        "staging), or 'local' (in-memory Medplum, no server).",
        "input": "With --environment local: the input file each changed bot runs on "
        "(default examples/patient.json when it exists).",
        "no_tests": "Deploy without running the bots' tests first.",
        "timeout": TIMEOUT_HELP,
    },
    iterable=["name"],
)
def dev(
    c: Context,
    name: list[str] | None = None,
    environment: str = "staging",
    input: str = "",
    no_tests: bool = False,
    timeout: str = "",
) -> None:
    """Watch src/: on each save rebuild the bots it changes, test them, deploy those that pass,
    and stream their executions' logs. Ctrl-C finishes a deploy in flight, then stops.
    """
    import threading
    import time
    from pathlib import Path

    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.dev_loop import LOCAL, DevLoop, LogStream
    from medplum_bots.deploy.follow import Printer
    from medplum_bots.deploy.options import Connections

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')}  {line}", flush=True)

    patterns = [p.strip() for item in name or [] for p in item.split(",") if p.strip()]
    connections = guard(lambda: Connections(timeout=http_timeout(timeout)))
    config = guard(load_config)
    if environment != LOCAL:
        guard(lambda: config.environment(environment))
    example = config.root / "examples" / "patient.json"
    input_path = Path(input) if input else (example if example.exists() else None)
    stream = LogStream(config.path, Printer(), connections)
    loop = DevLoop(
        config.path,
        patterns,
        environment,
        say,
        connections=connections,
        tests=not no_tests,
        input_path=input_path,
        on_deployed=None if environment == LOCAL else stream.add,
    )
    stop, finished = threading.Event(), threading.Event()

    def work() -> None:
        try:
            loop.run(stop)
        finally:
            finished.set()

    threading.Thread(target=work, daemon=True).start()
    say(f"watching src/ for {environment} (Ctrl-C to stop)")
    # Polled with sleep: a Thread.join interrupted by KeyboardInterrupt was seen reporting
    # the worker finished while it was deploying, and the process ended mid-deploy
    # (tests/runtime/test_dev_loop.py caught it).
    while not finished.is_set():
        try:
            time.sleep(0.1)
        except KeyboardInterrupt:
            if not stop.is_set():
                say("stopping: a deploy in flight finishes first")
            stop.set()
    stream.close()
    say(loop.session.summary())
