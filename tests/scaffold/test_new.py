"""`invoke new` in freshly rendered projects: a bot whose test passes, or nothing written at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from medplum_bots.config import parse_config
from medplum_bots.errors import ConfigError
from medplum_bots.scaffold import ScaffoldError, entries_for, new_bot

from tests.template import render, run_in

# Caches, and the (git-ignored) lock file that serialises writes of medplum.config.json: a
# lock file stays after its lock is released, since deleting it would race with other writers.
IGNORED = (
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".medplum.config.json.lock",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return render(tmp_path)


def snapshot(project: Path) -> dict[str, bytes]:
    """Every file's bytes, so a refused command can be shown to have changed nothing."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not any(part in IGNORED for part in path.parts)
    }


def bots(project: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((project / "medplum.config.json").read_text())[
        "bots"
    ]
    return entries


def test_new_writes_a_bot_its_passing_test_and_two_entries(project: Path) -> None:
    before = bots(project)

    result = run_in(project, "invoke", "new", "--name", "lab-results")

    assert result.returncode == 0, result.stderr
    assert "lab-results-staging, lab-results-production" in result.stdout
    assert bots(project)[: len(before)] == before  # existing entries untouched, in order
    added = bots(project)[len(before) :]
    assert [(e["name"], e["environment"], e["id"]) for e in added] == [
        ("lab-results-staging", "staging", ""),
        ("lab-results-production", "production", ""),
    ]
    assert {e["source"] for e in added} == {"src/bots/lab_results.py"}
    assert {e["dist"] for e in added} == {"dist/bots/lab_results.py"}
    assert [e["auditEventTrigger"] for e in added] == ["always", "on-error"]

    tested = run_in(project, "pytest", "tests/test_lab_results.py", "-p", "no:cacheprovider")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout
    new_files = ("src/bots/lab_results.py", "tests/test_lab_results.py")
    typed = run_in(project, "mypy", *new_files)
    assert typed.returncode == 0, typed.stdout
    styled = run_in(project, "ruff", "check", *new_files)
    formatted = run_in(project, "ruff", "format", "--check", *new_files)
    assert styled.returncode == 0 and formatted.returncode == 0, styled.stdout + formatted.stdout


def test_the_new_bot_runs_locally_like_the_first_one(project: Path) -> None:
    assert run_in(project, "invoke", "new", "--name", "intake").returncode == 0

    result = run_in(
        project, "invoke", "run", "--name", "intake-staging", "--input", "examples/patient.json"
    )

    assert result.returncode == 0, result.stderr
    assert "Hello Jane Doe!" in result.stdout + result.stderr


BAD_NAMES = [
    ("Lab", "must be lower-kebab-case"),
    ("lab_results", "must be lower-kebab-case"),
    ("lab-", "must be lower-kebab-case"),
    ("", "must be lower-kebab-case"),
    ("class", "is a Python keyword"),
    ("lab-staging", "must not end in -staging/-production"),
    ("my-first-bot", "src/bots/my_first_bot.py already exists"),
]


def test_bad_names_are_refused_with_one_line_and_nothing_changes(project: Path) -> None:
    before = snapshot(project)
    for name, reason in BAD_NAMES:
        result = run_in(project, "invoke", "new", "--name", name)
        assert result.returncode == 1, name
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert reason in lines[0], (name, lines[0])
    assert snapshot(project) == before


def test_entries_left_behind_still_block_the_name(project: Path) -> None:
    assert run_in(project, "invoke", "new", "--name", "lab-results").returncode == 0
    (project / "src/bots/lab_results.py").unlink()
    (project / "tests/test_lab_results.py").unlink()
    before = snapshot(project)

    result = run_in(project, "invoke", "new", "--name", "lab-results")

    assert result.returncode == 1
    assert "a bot named 'lab-results-staging' already exists" in result.stderr
    assert snapshot(project) == before


def test_a_failed_config_write_removes_the_files_it_wrote(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise ConfigError("medplum.config.json: disk full")

    monkeypatch.setattr("medplum_bots.scaffold.append_entries", refuse)
    before = snapshot(project)

    with pytest.raises(ConfigError, match="disk full"):
        new_bot("lab-results", project / "medplum.config.json")

    assert snapshot(project) == before


def test_a_name_another_bot_module_uses_is_refused(project: Path) -> None:
    # An entry (under another name) already points at src/bots/lab_results.py.
    config = json.loads((project / "medplum.config.json").read_text())
    config["bots"][0]["source"] = "src/bots/lab_results.py"
    (project / "medplum.config.json").write_text(json.dumps(config))

    with pytest.raises(ScaffoldError, match=r"already uses src/bots/lab_results\.py"):
        new_bot("lab-results", project / "medplum.config.json")
    assert not (project / "src/bots/lab_results.py").exists()


def test_one_entry_per_configured_environment() -> None:
    raw = {
        "bots": [],
        "environments": {
            name: {"baseUrl": f"https://{name}.example/"}
            for name in ("qa", "staging", "production")
        },
    }
    config = parse_config(raw, Path("medplum.config.json"))

    entries = entries_for(config, "lab-results", "lab_results")

    assert [(e["name"], e["environment"]) for e in entries] == [
        ("lab-results-qa", "qa"),
        ("lab-results-staging", "staging"),
        ("lab-results-production", "production"),
    ]
    parse_config({**raw, "bots": entries}, Path("medplum.config.json"))  # valid as written
