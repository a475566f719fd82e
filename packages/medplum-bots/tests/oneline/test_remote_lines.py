"""`invoke execute`, `invoke logs` and `invoke run`: each confusing case is one line naming
what to fix, run as invoke tasks in their own process against loopback stand-ins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet, open_fleet, standard_entries

from medplum_bots.deploy.remote import LogEntry, format_logs, read_input, split_failure
from tests.oneline.cli import error_line, invoke


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    with ExitStack() as stack:
        fleet = open_fleet(stack, tmp_path / "project")
        fleet.write_config(standard_entries(fleet))
        yield fleet


def test_a_wrong_secret_names_the_environment_and_the_variables(fleet: Fleet) -> None:
    (fleet.root / "in.json").write_text("{}")
    env = fleet.environ()
    del env["STAGING_MEDPLUM_CLIENT_SECRET"]
    (fleet.root / ".env.staging").write_text("STAGING_MEDPLUM_CLIENT_SECRET=wrong-secret-0000\n")

    executed = invoke(
        fleet.root, "execute", "--name", "alpha-staging", "--input", "in.json", env=env
    )
    logged = invoke(fleet.root, "logs", "--name", "alpha-staging", env=env)

    for done in (executed, logged):
        assert done.returncode == 1
        line = error_line(done)
        assert line.startswith("error: environment 'staging': login to ")
        assert "STAGING_MEDPLUM_CLIENT_SECRET in .env.staging" in line
        assert "STAGING_MEDPLUM_CLIENT_ID in the environment" in line
        assert "wrong-secret-0000" not in done.stderr + done.stdout


def test_logs_cap_a_huge_entry_and_say_how_to_see_it_all(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    huge = "".join(f"line {n:07d} of a chatty bot\n" for n in range(200_000)) + "the end"
    assert len(huge) > 5_000_000
    site.standin.seed(
        {
            "resourceType": "AuditEvent",
            "type": {"code": "execute"},
            "recorded": "2026-12-05T01:00:00Z",
            "agent": [{"requestor": True}],
            "source": {"observer": {"reference": f"Bot/{fleet.ids['alpha-staging']}"}},
            "entity": [{"what": {"reference": f"Bot/{fleet.ids['alpha-staging']}"}}],
            "outcome": "0",
            "outcomeDesc": huge,
        },
        site.project_id,
    )

    shown = invoke(fleet.root, "logs", "--name", "alpha-staging", env=fleet.environ())
    whole = invoke(fleet.root, "logs", "--name", "alpha-staging", "--full", env=fleet.environ())

    assert shown.returncode == 0, shown.stderr
    assert len(shown.stdout) < 10_000
    assert f"[{len(huge) - 4000:,} earlier characters of this log not shown; --full" in shown.stdout
    assert shown.stdout.rstrip().endswith("the end")
    assert whole.returncode == 0 and "line 0000000 of a chatty bot" in whole.stdout


def test_log_formatting_is_one_function_per_entry() -> None:
    entry = LogEntry("2026-12-05T01:00:00Z", "ok", "x" * 50)
    assert format_logs([entry], cap=10).splitlines() == [
        "2026-12-05T01:00:00Z  ok",
        "    [40 earlier characters of this log not shown; --full shows all]",
        "    " + "x" * 10,
    ]
    assert format_logs([entry], cap=10, full=True).splitlines()[1] == "    " + "x" * 50


def test_a_failed_execution_says_its_error_once() -> None:
    text = (
        "about to fail\nTraceback (most recent call last):\n"
        '  File "src/bots/boom.py", line 3, in handler\n'
        "    raise ValueError(MESSAGE)\nValueError: the lab code is missing\n"
        "Unhandled error: ValueError: the lab code is missing\n\n"
        "Error ValueError: the lab code is missing"
    )
    failure = split_failure(text)
    assert failure.error == "ValueError: the lab code is missing"
    assert failure.log == (
        "about to fail",
        "Traceback (most recent call last):",
        '  File "src/bots/boom.py", line 3, in handler',
        "    raise ValueError(MESSAGE)",
    )


def test_input_medplum_would_refuse_names_the_file(fleet: Fleet) -> None:
    (fleet.root / "scalar.json").write_text('"just a string"')
    done = invoke(
        fleet.root,
        "execute",
        "--name",
        "alpha-staging",
        "--input",
        "scalar.json",
        env=fleet.environ(),
    )
    assert done.returncode == 1
    line = error_line(done)
    assert line.startswith("error: --input 'scalar.json': Medplum accepts only a JSON object")


def test_input_files_keep_their_line_ends(tmp_path: Path) -> None:
    message = b"MSH|^~\\&|LAB|X\r\nPID|1||42\r\n"
    (tmp_path / "in.hl7").write_bytes(message)
    (tmp_path / "in.txt").write_bytes(b"a\r\nb\r\n")
    assert read_input(tmp_path / "in.hl7")[0].encode() == message
    assert read_input(tmp_path / "in.txt")[0] == "a\r\nb\r\n"


ECHO_BOT = """
def handler(medplum, event):
    return {"input": event.input}
"""


def test_run_refuses_an_empty_pipe_and_keeps_crlf(fleet: Fleet) -> None:
    (fleet.root / "src/bots/alpha.py").write_text(ECHO_BOT)

    empty = invoke(fleet.root, "run", "--name", "alpha-staging", stdin=b"")
    (fleet.root / "in.txt").write_bytes(b"one\r\ntwo\r\n")
    kept = invoke(fleet.root, "run", "--name", "alpha-staging", "--input", "in.txt")
    piped = invoke(
        fleet.root,
        "run",
        "--name",
        "alpha-staging",
        "--content-type",
        "text/plain",
        stdin=b"one\r\ntwo\r\n",
    )

    assert empty.returncode == 1
    assert error_line(empty) == "error: no input: pass --input FILE or pipe JSON into invoke run"
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout) == {"input": "one\r\ntwo\r\n"}
    assert json.loads(piped.stdout) == {"input": "one\r\ntwo\r\n"}


def test_a_client_that_may_not_create_bots_is_named_not_a_bare_403(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    site.standin.add_client("viewer", "viewer-secret-0123456", site.project_id, admin=False)
    entries = standard_entries(fleet)
    entries.append({**fleet.entry("alpha", "staging"), "name": "delta-staging", "id": ""})
    fleet.write_config(entries)
    env = {
        **fleet.environ(),
        "STAGING_MEDPLUM_CLIENT_ID": "viewer",
        "STAGING_MEDPLUM_CLIENT_SECRET": "viewer-secret-0123456",
    }

    done = invoke(
        fleet.root, "deploy", "--no-runtime-check", "--create", "--name", "delta-staging", env=env
    )

    assert done.returncode == 1
    assert (
        "environment 'staging': creating bot 'delta-staging' in Project/staging-project was "
        "refused (HTTP 403): the credentials' client (STAGING_MEDPLUM_CLIENT_ID in the "
        "environment) is not an admin of Project/staging-project, or the projectId in "
        "medplum.config.json is wrong"
    ) in " ".join(done.stdout.split())
