"""Every deploy failure bounded and explained (issue #12), against real loopback servers.

Each test runs the deployer in-process against the stand-ins (or against a socket that
refuses, or never answers) and checks what the report says, what was created and written.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from medplum_standin.fleet import BOT_READ, FAST_RETRY, Fleet, results, standard_entries

from medplum_bots.client.retry import RetryPolicy
from medplum_bots.deploy.create import NewBot, create
from medplum_bots.deploy.orchestrate import DeployOptions, deploy
from medplum_bots.deploy.progress import DeployProgress
from medplum_bots.deploy.remote import execute, logs
from medplum_bots.deploy.report import CREATED, DEPLOYED, FAILED, UNCHANGED, BotOutcome
from medplum_bots.deploy.session import CONFIG_ENTRY
from medplum_bots.errors import BuildError, ConfigError, DeployError


def _bots_named(fleet: Fleet, name: str, environment: str = "staging") -> list[dict[str, Any]]:
    site = fleet.sites[environment]
    return [b for b in site.standin.store.all("Bot", site.project_id) if b["name"] == name]


def _with_new_entry(fleet: Fleet, name: str = "delta-staging") -> None:
    entries = standard_entries(fleet)
    entries.append({**fleet.entry("alpha", "staging"), "name": name, "id": ""})
    fleet.write_config(entries)


def _recorded_id(fleet: Fleet, name: str) -> str:
    data = json.loads(fleet.config_path.read_text())
    return next(str(b["id"]) for b in data["bots"] if b["name"] == name)


# -- the deployer ----------------------------------------------------------------------------


def test_when_reading_bots_fails_nothing_is_created_and_no_id_is_written(fleet: Fleet) -> None:
    _with_new_entry(fleet)
    before = fleet.config_path.read_bytes()
    fleet.sites["staging"].standin.faults.add(method="POST", path=BOT_READ, status=500, times=None)

    report = fleet.deploy("*-staging", create=True)

    staging = {o.bot: o for o in report.outcomes}
    assert {o.result for o in staging.values()} == {FAILED}
    assert "HTTP 500" in staging["delta-staging"].detail
    assert _bots_named(fleet, "delta-staging") == []
    assert fleet.config_path.read_bytes() == before


def test_an_unforeseen_error_becomes_report_rows_not_an_aborted_run(fleet: Fleet) -> None:
    # A search answer whose Bot has no id: the deployer's own code fails (KeyError).
    searchset = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {}}]}
    broken = {
        "resourceType": "Bundle",
        "type": "batch-response",
        "entry": [{"response": {"status": "200 OK"}, "resource": searchset}],
    }
    fleet.sites["staging"].standin.faults.add(
        method="POST", path=BOT_READ, status=200, body=json.dumps(broken), times=None
    )

    report = fleet.deploy("*")

    rows = {o.bot: o for o in report.outcomes}
    assert all(rows[f"{m}-staging"].result == FAILED for m in ("alpha", "beta", "gamma"))
    assert "unexpected KeyError" in rows["alpha-staging"].detail
    assert all(rows[f"{m}-production"].result == DEPLOYED for m in ("alpha", "beta", "gamma"))


def test_a_5xx_reading_the_project_fails_the_environment(fleet: Fleet) -> None:
    fleet.sites["staging"].standin.faults.add(
        method="GET", path=r"^/fhir/R4/Project/", status=503, times=None
    )

    report = fleet.deploy("*")

    rows = {o.bot: o for o in report.outcomes}
    assert rows["alpha-staging"].result == FAILED
    assert "runtime secret check" in rows["alpha-staging"].detail
    assert "HTTP 503" in rows["alpha-staging"].detail
    assert rows["alpha-production"].result == DEPLOYED
    assert "executableCode" not in fleet.bot("alpha-staging")


def test_no_build_refuses_an_artifact_older_than_its_sources(fleet: Fleet) -> None:
    assert fleet.deploy("alpha-staging").ok
    source = fleet.root / "src/bots/alpha.py"
    source.write_text(source.read_text().replace("running", "now running"))

    with pytest.raises(BuildError) as caught:
        fleet.deploy("alpha-staging", build=False)

    assert str(caught.value).startswith("dist/bots/alpha.py: built from older sources than ")
    assert "invoke build" in str(caught.value)


def test_progress_hears_about_every_bot_as_it_ends(fleet: Fleet) -> None:
    heard: list[BotOutcome] = []

    report = deploy(
        fleet.config(),
        ["*"],
        DeployOptions(runtime_check=False),
        fleet.connections(),
        on_outcome=heard.append,
    )

    assert sorted(o.bot for o in heard) == sorted(o.bot for o in report.outcomes)
    lines: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    progress = DeployProgress(2, Sink())  # type: ignore[arg-type]
    progress(heard[0])
    progress(heard[1])
    assert lines[0].startswith(f"[1/2] {heard[0].bot} ({heard[0].environment}): deployed in ")
    assert all(line.endswith(" s\n") for line in lines)


# -- creating Bots: idempotent across runs -----------------------------------------------------


def test_two_runs_creating_one_entry_at_once_leave_one_bot(fleet: Fleet) -> None:
    _with_new_entry(fleet)
    # Slow creation, so the second run asks while the first is still creating.
    fleet.sites["staging"].standin.faults.add(
        method="POST", path=r"^/admin/projects/", status=None, delay=0.5, times=None
    )
    reports: list[Any] = []

    def run() -> None:
        reports.append(fleet.deploy("delta-staging", create=True))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert all(r.ok for r in reports), [r.table() for r in reports]
    made = _bots_named(fleet, "delta-staging")
    assert len(made) == 1
    assert sorted(results(r)["delta-staging"] for r in reports)[0] == CREATED
    assert [results(r)["delta-staging"] for r in reports].count(CREATED) == 1
    assert _recorded_id(fleet, "delta-staging") == made[0]["id"]


def test_a_bot_made_by_an_interrupted_create_is_adopted(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    orphan = site.standin.seed(
        {
            "resourceType": "Bot",
            "name": "delta-staging",
            "runtimeVersion": "awslambda",
            "identifier": [{"system": CONFIG_ENTRY, "value": "delta-staging"}],
        },
        site.project_id,
    )
    _with_new_entry(fleet)

    report = fleet.deploy("delta-staging", create=True)

    assert report.ok, report.table()
    outcome = report.outcomes[0]
    assert outcome.result == DEPLOYED
    assert f"adopted Bot/{orphan['id']}" in outcome.detail
    assert [b["id"] for b in _bots_named(fleet, "delta-staging")] == [orphan["id"]]
    assert _recorded_id(fleet, "delta-staging") == orphan["id"]
    assert "executableCode" in site.bot(orphan["id"])


def test_a_created_bot_carries_its_entry_identifier(fleet: Fleet) -> None:
    _with_new_entry(fleet)

    report = fleet.deploy("delta-staging", create=True)

    assert results(report) == {"delta-staging": CREATED}
    (bot,) = _bots_named(fleet, "delta-staging")
    assert {"system": CONFIG_ENTRY, "value": "delta-staging"} in bot["identifier"]
    again = fleet.deploy("delta-staging")
    assert results(again) == {"delta-staging": UNCHANGED}


def test_two_bots_marked_as_one_entry_are_named_not_deployed(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    marked = [
        site.standin.seed(
            {
                "resourceType": "Bot",
                "name": "delta-staging",
                "identifier": [{"system": CONFIG_ENTRY, "value": "delta-staging"}],
            },
            site.project_id,
        )
        for _ in range(2)
    ]
    _with_new_entry(fleet)

    report = fleet.deploy("delta-staging", create=True)

    outcome = report.outcomes[0]
    assert outcome.result == FAILED
    assert all(f"Bot/{b['id']}" in outcome.detail for b in marked)
    assert _recorded_id(fleet, "delta-staging") == ""


def test_invoke_create_adopts_the_bot_of_an_interrupted_create(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    orphan = site.standin.seed(
        {
            "resourceType": "Bot",
            "name": "delta-staging",
            "identifier": [{"system": CONFIG_ENTRY, "value": "delta-staging"}],
        },
        site.project_id,
    )

    report = create(
        fleet.config(),
        NewBot("delta-staging", "src/bots/alpha.py", project_id="staging-project"),
        DeployOptions(runtime_check=False),
        connections=fleet.connections(),
    )

    assert report.ok, report.table()
    assert [b["id"] for b in _bots_named(fleet, "delta-staging")] == [orphan["id"]]
    assert _recorded_id(fleet, "delta-staging") == orphan["id"]


# -- network failures --------------------------------------------------------------------------


@contextmanager
def _closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


@contextmanager
def _silent_server() -> Iterator[int]:
    """A server that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def _point_staging_at(fleet: Fleet, base_url: str) -> None:
    environments = fleet.environments()
    environments["staging"]["baseUrl"] = base_url
    fleet.write_config(standard_entries(fleet), environments)


def test_connection_refused_is_a_network_failure_naming_the_url(fleet: Fleet) -> None:
    with _closed_port() as port:
        _point_staging_at(fleet, f"http://127.0.0.1:{port}/")
        report = fleet.deploy("alpha-staging")

    detail = report.outcomes[0].detail
    assert report.outcomes[0].result == FAILED
    assert f"POST http://127.0.0.1:{port}/oauth2/token: connection refused" in detail
    assert "CLIENT_ID" not in detail and "CLIENT_SECRET" not in detail
    assert "5 attempts" in detail


def test_a_server_that_never_answers_fails_within_the_budget(fleet: Fleet) -> None:
    with _silent_server() as port:
        _point_staging_at(fleet, f"http://127.0.0.1:{port}/")
        started = time.monotonic()
        report = fleet.deploy("alpha-staging", connections=fleet.connections(timeout=1.0))
        took = time.monotonic() - started

    outcome = report.outcomes[0]
    assert outcome.result == FAILED
    assert "the server accepted the request but sent no answer within" in outcome.detail
    assert "CLIENT_ID" not in outcome.detail
    assert took < 5, took
    assert outcome.seconds >= 0.9  # the seconds column counts the time spent, retries included


def test_a_dead_proxy_is_named(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    with _closed_port() as port:
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, f"http://user:pw@127.0.0.1:{port}")
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        report = fleet.deploy("alpha-staging")

    detail = report.outcomes[0].detail
    assert report.outcomes[0].result == FAILED
    assert f"connection refused by 127.0.0.1:{port}" in detail
    assert f"via the proxy http://127.0.0.1:{port}" in detail
    assert "pw" not in detail


def test_a_permanently_dropped_connection_is_said_in_plain_words(fleet: Fleet) -> None:
    fleet.sites["staging"].standin.faults.add(path="oauth2/token", drop=True, times=None)

    report = fleet.deploy("alpha-staging")

    detail = report.outcomes[0].detail
    assert "the server closed the connection without answering" in detail
    assert "ConnectionClosed" not in detail and "role=" not in detail


def test_a_5xx_login_does_not_blame_the_credentials(fleet: Fleet) -> None:
    fleet.sites["staging"].standin.faults.add(path="oauth2/token", status=503, times=None)

    report = fleet.deploy("alpha-staging")

    detail = report.outcomes[0].detail
    assert "HTTP 503" in detail and "CLIENT_ID" not in detail


# -- execute / logs on a Bot the server does not have -----------------------------------------


def test_execute_and_logs_name_an_entry_whose_bot_is_missing(fleet: Fleet, tmp_path: Path) -> None:
    entries = standard_entries(fleet)
    entries[0] = {**entries[0], "id": "0b0b0b0b-0000-4000-8000-000000000000"}
    fleet.write_config(entries)
    (tmp_path / "in.json").write_text("{}")
    config = fleet.config()
    wanted = (
        "bot 'alpha-staging': Bot/0b0b0b0b-0000-4000-8000-000000000000 does not exist in "
        "environment 'staging'"
    )

    with pytest.raises(DeployError) as executed:
        execute(config, "alpha-staging", tmp_path / "in.json", environ=fleet.environ())
    with pytest.raises(DeployError) as logged:
        logs(config, "alpha-staging", environ=fleet.environ())

    assert str(executed.value).startswith(wanted)
    assert str(logged.value).startswith(wanted)


def test_execute_retries_stay_within_the_budget(fleet: Fleet, tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text("{}")
    with _silent_server() as port:
        _point_staging_at(fleet, f"http://127.0.0.1:{port}/")
        started = time.monotonic()
        with pytest.raises(Exception) as caught:
            execute(
                fleet.config(),
                "alpha-staging",
                tmp_path / "in.json",
                environ=fleet.environ(),
                timeout=0.5,
            )
    assert time.monotonic() - started < 3
    assert "sent no answer within" in str(caught.value)


def test_the_retry_policy_used_by_the_fleet_is_fast() -> None:
    # The budget tests rely on retries being allowed: FAST_RETRY must retry.
    assert FAST_RETRY.max_attempts > 1 and isinstance(FAST_RETRY, RetryPolicy)


def test_config_errors_still_come_first(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries[0] = {**entries[0], "dist": "tasks.py"}
    fleet.write_config(entries)
    with pytest.raises(ConfigError):
        fleet.config()


def test_progress_on_a_terminal_rewrites_one_line_and_clears_it() -> None:
    import io

    stream = io.StringIO()
    progress = DeployProgress(2, stream, live=True)
    progress(BotOutcome("alpha-staging", "staging", DEPLOYED, seconds=0.5))
    progress(BotOutcome("beta-staging", "staging", FAILED, seconds=1.25))
    progress.close()

    assert stream.getvalue() == (
        "\r\x1b[K[1/2] alpha-staging (staging): deployed in 0.50 s"
        "\r\x1b[K[2/2] beta-staging (staging): failed in 1.25 s"
        "\r\x1b[K"
    )
