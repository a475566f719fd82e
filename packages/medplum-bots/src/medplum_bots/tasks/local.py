"""Tasks on this checkout alone (no Medplum server): lint, test, build, new, run."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.tasks.guard import guard


def shell_quoted(word: str) -> str:
    """`word` as one argument of the shell invoke runs (cmd.exe on Windows, sh elsewhere)."""
    return subprocess.list2cmdline([word]) if os.name == "nt" else shlex.quote(word)


# The tools run with the interpreter running invoke: the project's virtual environment.
PY = shell_quoted(sys.executable)


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


@task(
    help={
        "k": "Only run tests matching this pytest -k expression.",
        "medplum": "Run the tests against this environment of medplum.config.json instead of "
        "in memory; what they create is deleted after each test (docs/testing.md).",
    }
)
def test(c: Context, k: str = "", medplum: str = "") -> None:
    """Run the test suite with pytest (offline: bots run against an in-memory Medplum)."""
    selector = f" -k {shell_quoted(k)}" if k else ""
    target = f" --medplum {shell_quoted(medplum)}" if medplum else ""
    c.run(f"{PY} -m pytest{selector}{target}")


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
