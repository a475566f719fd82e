"""`invoke status`, `invoke retire` and `invoke deploy --prune` as real processes in a
generated project."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet, open_fleet, standard_entries

from tests.template import gen_python, project_env, run_in


@pytest.fixture
def project_fleet(tmp_path: Path, default_project: Path) -> Iterator[Fleet]:
    """The generated project, deployed to two stand-ins, then gamma-staging removed from
    its config (its Bot is an orphan)."""
    root = tmp_path / "project"
    shutil.copytree(default_project, root, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    with ExitStack() as stack:
        fleet = open_fleet(stack, root)
        fleet.write_config(standard_entries(fleet))
        done = invoke(fleet, "deploy", "--no-runtime-check", "--name", "*")
        assert done.returncode == 0, done.stderr
        fleet.write_config([e for e in standard_entries(fleet) if e["name"] != "gamma-staging"])
        yield fleet


def invoke(fleet: Fleet, *args: str) -> subprocess.CompletedProcess[str]:
    # `input=""`: stdin is not a terminal, as in CI.
    return run_in(fleet.root, "invoke", *args, env=fleet.environ(), input="")


def _rows(stdout: str) -> dict[tuple[str, str], str]:
    """(bot, environment) -> the third column, for the table's rows (details skipped)."""
    rows: dict[tuple[str, str], str] = {}
    for line in stdout.splitlines()[2:]:
        if line.startswith(" ") or not line.strip():
            continue
        cells = line.split("  ")
        cells = [c.strip() for c in cells if c.strip()]
        rows[(cells[0], cells[1])] = cells[2]
    return rows


def _gamma_exists(fleet: Fleet) -> bool:
    site = fleet.sites["staging"]
    gamma = fleet.ids["gamma-staging"]
    return any(b["id"] == gamma for b in site.standin.store.all("Bot", site.project_id))


def test_invoke_status_shows_deployed_changed_and_orphaned(project_fleet: Fleet) -> None:
    beta = project_fleet.root / "src/bots/beta.py"
    beta.write_text(beta.read_text() + "\n# changed\n")

    done = invoke(project_fleet, "status")

    assert done.returncode == 0, done.stderr
    header = ["bot", "environment", "state", "commit", "deployed", "at"]
    assert done.stdout.splitlines()[0].split() == header
    rows = _rows(done.stdout)
    assert rows[("alpha-staging", "staging")] == "deployed"
    assert rows[("beta-production", "production")] == "changed locally"
    assert rows[("gamma-staging", "staging")] == "orphaned"
    assert "invoke retire --name gamma-staging" in done.stdout


def test_deploy_reports_the_orphan_and_still_exits_zero(project_fleet: Fleet) -> None:
    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*")

    assert done.returncode == 0, done.stderr
    assert _rows(done.stdout)[("gamma-staging", "staging")] == "orphaned"
    assert _gamma_exists(project_fleet)


def test_invoke_retire_needs_yes_without_a_terminal_and_refuses_configured_names(
    project_fleet: Fleet,
) -> None:
    refused = invoke(project_fleet, "retire", "--name", "alpha-staging", "--yes")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: 'alpha-staging' is still in medplum.config.json: remove its entry (and its "
        "source, if no other entry uses it) from the config first, then retire it"
    )

    unasked = invoke(project_fleet, "retire", "--name", "gamma-staging")
    assert unasked.returncode == 1
    assert "--yes" in unasked.stderr and len(unasked.stderr.strip().splitlines()) == 1
    assert _gamma_exists(project_fleet)

    done = invoke(project_fleet, "retire", "--name", "gamma-staging", "--yes")
    assert done.returncode == 0, done.stderr
    assert _rows(done.stdout)[("gamma-staging", "staging")] == "retired"
    assert not _gamma_exists(project_fleet)


def test_deploy_prune_retires_the_orphans_with_yes(project_fleet: Fleet) -> None:
    unasked = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*", "--prune")
    assert unasked.returncode == 1 and unasked.stdout == ""  # refused before anything is sent
    assert "--yes" in unasked.stderr and len(unasked.stderr.strip().splitlines()) == 1
    assert _gamma_exists(project_fleet)

    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*", "--prune", "--yes")

    assert done.returncode == 0, done.stderr
    assert "retired" in done.stdout
    assert not _gamma_exists(project_fleet)


def _retire_in_a_terminal(fleet: Fleet, answer: str) -> subprocess.CompletedProcess[str]:
    """`invoke retire --name gamma-staging` with a pseudo-terminal as stdin, answering."""
    primary, secondary = os.openpty()
    try:
        process = subprocess.Popen(
            [str(gen_python()), "-m", "invoke", "retire", "--name", "gamma-staging"],
            cwd=fleet.root,
            env=project_env(fleet.root, fleet.environ()),
            stdin=secondary,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(secondary)
        os.write(primary, answer.encode() + b"\n")
        stdout, stderr = process.communicate(timeout=300)
    finally:
        os.close(primary)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_invoke_retire_asks_in_a_terminal_and_no_keeps_the_bot(project_fleet: Fleet) -> None:
    gamma = project_fleet.ids["gamma-staging"]

    kept = _retire_in_a_terminal(project_fleet, "n")
    assert kept.returncode == 0, kept.stderr
    assert f"Bot/{gamma} (gamma-staging, staging)" in kept.stderr
    assert "Retire them? [y/N]" in kept.stdout and "nothing retired" in kept.stdout
    assert _gamma_exists(project_fleet)

    done = _retire_in_a_terminal(project_fleet, "y")
    assert done.returncode == 0, done.stderr
    assert _rows(done.stdout.split("[y/N] ", 1)[1])[("gamma-staging", "staging")] == "retired"
    assert not _gamma_exists(project_fleet)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_deploy_from_a_dirty_tree_warns_in_one_line_and_records_it(project_fleet: Fleet) -> None:
    root = project_fleet.root
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "generated")
    head = _git(root, "rev-parse", "HEAD")
    alpha = root / "src/bots/alpha.py"
    alpha.write_text(alpha.read_text() + "\n# not committed\n")

    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "alpha-staging")

    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: uncommitted changes are deployed (recorded as {head[:12]}+dirty); "
        "commit them so the Bots name the code they run"
    ]
    status = invoke(project_fleet, "status", "--name", "alpha-staging")
    assert f"{head[:12]}+dirty" in status.stdout
