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
from medplum_bots.deploy.report import DeployReport
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


@task(
    help={
        "name": "Only entries whose name matches this pattern ('*' is a wildcard); repeatable.",
        "changed": "Build nothing; list the entries whose artifact differs from this git ref "
        "(e.g. origin/main), or from the last build when no ref is given.",
    },
    iterable=["name"],
    optional=["changed"],
)
def build(c: Context, name: list[str] | None = None, changed: str | bool | None = None) -> None:
    """Bundle each bot and the shared modules it imports into one file under dist/.

    With --changed, print one entry name per line (the bots to redeploy); reasons go to stderr.
    """
    from medplum_bots.build.bundle import build_all, changed_artifacts, describe
    from medplum_bots.config import load_config

    config = guard(load_config)
    if changed is None or changed is False:
        for artifact in guard(lambda: build_all(config, name or [])):
            print(describe(artifact, config.root))
        return
    ref = changed if isinstance(changed, str) and changed else None
    results = guard(lambda: changed_artifacts(config, name or [], ref))
    for item in results:
        print(f"{item.name}: {item.reason} ({', '.join(item.entries)})", file=sys.stderr)
        print("\n".join(item.entries))
    if not results:
        print(f"no artifact differs from {ref or 'the last build'}", file=sys.stderr)


@task(
    help={
        "name": "The bot's name in lower-kebab-case, e.g. 'lab-results' "
        "(its entries become lab-results-staging and lab-results-production)."
    }
)
def new(c: Context, name: str) -> None:
    """Start a bot: src/bots/<module>.py from the hello-patient starter, its test, its entries."""
    from medplum_bots.scaffold import new_bot

    created = guard(lambda: new_bot(name))
    root = created.source.parents[2]
    print(f"created {created.source.relative_to(root)} and {created.test.relative_to(root)}")
    print(f"added to medplum.config.json: {', '.join(created.entries)} (ids empty)")
    print(f"next: invoke test -k {created.module}, then invoke deploy --create --name '{name}-*'")


@task(
    help={
        "name": "The bot: a config entry (my-first-bot-staging) or its module (my_first_bot).",
        "input": "File with the input (FHIR resource JSON, HL7 v2 message, text); '-' is stdin "
        "(the default when something is piped in).",
        "content_type": "The input's content type (default: from the file: .json, .hl7, text).",
        "secret": "A Project secret for the bot, NAME=VALUE (repeat for several).",
    },
    iterable=["secret"],
)
def run(
    c: Context,
    name: str,
    input: str = "",
    content_type: str = "",
    secret: list[str] | None = None,
) -> None:
    """Build one bot and run it once on an in-memory Medplum: logs to stderr, result to stdout."""
    import json

    from medplum_bots.config import load_config
    from medplum_bots.errors import outcome_text
    from medplum_bots.runtime.local_run import parse_secrets, read_input, run_local

    text, label = guard(lambda: read_input(input))
    secrets = guard(lambda: parse_secrets(secret or []))
    local = guard(
        lambda: run_local(
            load_config(),
            name,
            text,
            input_name=label,
            content_type=content_type or None,
            secrets=secrets,
        )
    )
    for line in local.result.logs:
        print(line, file=sys.stderr)
    sys.stderr.flush()
    if not local.result.ok:
        raise Exit(f"error: {outcome_text(local.result.outcome)}", code=1)
    print(json.dumps(local.result.result, indent=2, ensure_ascii=False))


@task(
    help={
        "host": "Interface to listen on (default 127.0.0.1; 0.0.0.0 exposes it to your network).",
        "port": "TCP port (default 8000).",
    }
)
def serve(c: Context, host: str = "127.0.0.1", port: str = "8000") -> None:
    """Serve the HTTP runtime locally: runs the signed artifact each execution carries.

    Leave it running across deploys: each deploy's code arrives with its executions. Needs
    MEDPLUM_BOTS_RUNTIME_KEY and MEDPLUM_BOTS_TRUSTED_KEYS (environment or .env); see
    docs/running-python-bots.md "HTTP runtime".
    """
    from medplum_bots.arguments import whole_number
    from medplum_bots.config import load_config
    from medplum_bots.runtime.http_app import serve as serve_runtime

    try:
        import uvicorn  # noqa: F401
    except ImportError:
        raise Exit("error: uvicorn is not installed: pip install -e '.[http]'", code=1) from None
    number = guard(lambda: whole_number("--port", port, 1, 65535))
    guard(lambda: serve_runtime(load_config(), host, number))


@task(
    help={
        "out": "Where to write the zip (default dist/runtime-lambda.zip).",
        "architecture": "The function's architecture: x86_64 (default) or arm64.",
        "python_version": "The function's Python version (default 3.12, runtime python3.12).",
        "requirements_dir": "Use this directory of already installed packages as is instead "
        "of running pip (offline builds; it must hold httpx and every bot's requirements).",
    }
)
def runtime_zip(
    c: Context,
    out: str = "",
    architecture: str = "x86_64",
    python_version: str = "3.12",
    requirements_dir: str = "",
) -> None:
    """Package the HTTP runtime, with every package the bots need, as one AWS Lambda zip.

    See docs/running-python-bots.md "As an AWS Lambda behind a function URL".
    """
    from pathlib import Path

    from medplum_bots.build.bundle import build_all
    from medplum_bots.build.lambda_zip import build_runtime_zip
    from medplum_bots.config import load_config

    config = guard(load_config)
    artifacts = guard(lambda: build_all(config))
    package = guard(
        lambda: build_runtime_zip(
            config.root,
            Path(out) if out else config.root / "dist" / "runtime-lambda.zip",
            architecture=architecture,
            python_version=python_version,
            requirements_dir=Path(requirements_dir) if requirements_dir else None,
        )
    )
    print(f"{package.path} ({package.size:,} bytes, CodeSha256 {package.code_sha256})")
    print(f"bots: {', '.join(sorted(a.name for a in artifacts))}")


def _print_report(report: DeployReport) -> None:
    print(report.table())
    if not report.ok:
        raise Exit(f"error: {report.failure_summary()}", code=report.exit_code())


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
        "timeout": "Seconds one request may take, retries included "
        "(default: MEDPLUM_BOTS_HTTP_TIMEOUT, else 30).",
        "no_runtime_check": "Do not ask the environment's HTTP runtime what it can run before "
        "deploying (for a machine that cannot reach it); the runtime still refuses unsigned code.",
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
) -> None:
    """Build, then deploy the selected bots to their environments (staging, production...).

    Ends with a table (bot, environment, result, version, seconds); exits 1 naming every bot
    that failed. Credentials: see docs/configuration.md "Credentials".
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
    progress = DeployProgress(len(guard(lambda: config.select(patterns))), sys.stderr)
    report = guard(lambda: run_deploy(config, patterns, options, connections, progress))
    progress.close()
    _print_report(report)


@task(
    help={
        "name": "Name of the new config entry, e.g. lab-results-staging.",
        "project_id": "Medplum project id (default: the environment's projectId).",
        "source": "The bot's Python file, e.g. src/bots/lab_results.py.",
        "environment": "Environment from medplum.config.json (default: from a -<env> suffix).",
        "runtime_version": "Bot runtimeVersion: awslambda (default), vmcontext or fission.",
        "description": "Bot description.",
        "dist": "Artifact path under dist/ (default: the source's path with src/ replaced "
        "by dist/).",
        "timeout": "Seconds one request may take, retries included "
        "(default: MEDPLUM_BOTS_HTTP_TIMEOUT, else 30).",
        "no_runtime_check": "Do not ask the environment's HTTP runtime what it can run first.",
    }
)
def create(
    c: Context,
    name: str,
    source: str,
    project_id: str = "",
    environment: str = "",
    runtime_version: str = "awslambda",
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
    _print_report(guard(lambda: run_create(guard(load_config), new_bot, options, connections)))


@task(
    help={
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging.",
        "input": "File with the input: .json (FHIR resource or JSON), .hl7, or text.",
        "content_type": "The input's content type (default: from the file's extension).",
        "timeout": "Seconds one request may take, retries included "
        "(default: MEDPLUM_BOTS_HTTP_TIMEOUT, else 30).",
    }
)
def execute(c: Context, name: str, input: str, content_type: str = "", timeout: str = "") -> None:
    """Run a deployed bot on Medplum through $execute and print its answer."""
    import json
    from pathlib import Path

    from medplum_bots.arguments import http_timeout
    from medplum_bots.config import load_config
    from medplum_bots.deploy.remote import execute as run_execute

    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)
    answer = guard(lambda: run_execute(config, name, Path(input), content_type, timeout=seconds))
    print(answer if isinstance(answer, str) else json.dumps(answer, indent=2, ensure_ascii=False))


@task(
    help={
        "name": "The config entry of a deployed bot, e.g. my-first-bot-staging.",
        "limit": "How many recent executions to show (default 20).",
        "timeout": "Seconds one request may take, retries included "
        "(default: MEDPLUM_BOTS_HTTP_TIMEOUT, else 30).",
    }
)
def logs(c: Context, name: str, limit: str = "20", timeout: str = "") -> None:
    """Show a deployed bot's recent executions: time, outcome and log output (AuditEvents)."""
    from medplum_bots.arguments import http_timeout, whole_number
    from medplum_bots.config import load_config
    from medplum_bots.deploy.remote import format_logs
    from medplum_bots.deploy.remote import logs as read_logs

    count = guard(lambda: whole_number("--limit", limit))
    seconds = guard(lambda: http_timeout(timeout))
    config = guard(load_config)
    print(format_logs(guard(lambda: read_logs(config, name, count, timeout=seconds))))


@task(
    help={
        "environment": "The environment of medplum.config.json the key pair is for, e.g. staging.",
    }
)
def deploy_key(c: Context, environment: str) -> None:
    """Make a deploy key pair for an environment and print where each half goes.

    `invoke deploy` signs every bot it deploys with the private half; the environment's HTTP
    runtime runs only code signed by a key it trusts (the public half).
    """
    from medplum_bots.config import load_config
    from medplum_bots.runtime.deploy_keys import generate, where_each_half_goes

    env = guard(lambda: load_config().environment(environment))
    print(where_each_half_goes(generate(), env.name, env.credentials_prefix))
