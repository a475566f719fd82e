"""`.cruft.json`: the answers a project was generated with, enough to regenerate or update it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cruft
import pytest
from cookiecutter.main import cookiecutter

from tests.template import ROOT, TEMPLATE_DIR, render

ANSWERS: dict[str, Any] = {
    "project_name": "Acme Care Bots",
    "first_bot_name": "intake-router",
    "python_version": "3.12",
    "staging_base_url": "http://localhost:8103/",
    "staging_project_id": "0f1e2d3c-4b5a-6978",
    "include_sync_examples": True,
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# The template's own working files, not part of it.
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "build", "out", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"
)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def template_and_project(tmp_path: Path) -> tuple[Path, Path]:
    """A git copy of this template (first commit) and a project generated from it, committed."""
    template = tmp_path / "template"
    shutil.copytree(ROOT, template, ignore=NOT_TEMPLATE)
    git(template, "init", "-q", "-b", "main")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "first")
    project = Path(cookiecutter(str(template), no_input=True, output_dir=str(tmp_path / "out")))
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated")
    return template, project


def state(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / ".cruft.json").read_text())
    return data


def test_the_answers_file_records_answers_and_template_but_nothing_local(tmp_path: Path) -> None:
    project = render(tmp_path, **ANSWERS)
    recorded = state(project)

    answers: Mapping[str, Any] = recorded["context"]["cookiecutter"]
    for key, value in ANSWERS.items():
        assert answers[key] == value, key
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(answers)
    assert str(tmp_path) not in (project / ".cruft.json").read_text()
    assert recorded["template"] == str(ROOT)
    assert recorded["commit"] == git(ROOT, "rev-parse", "HEAD")


def test_a_github_shorthand_is_recorded_as_a_url_cruft_can_clone(tmp_path: Path) -> None:
    # The test's cookiecutter config maps `gh:` to ROOT's parent, so nothing is downloaded.
    project = Path(cookiecutter(f"gh:{ROOT.name}", no_input=True, output_dir=str(tmp_path / "out")))

    recorded = state(project)
    assert recorded["template"] == f"https://github.com/{ROOT.name}"
    assert recorded["commit"] == git(ROOT, "rev-parse", "HEAD")


def test_the_recorded_answers_regenerate_the_same_project(tmp_path: Path) -> None:
    first = render(tmp_path / "first", **ANSWERS)
    replay = tmp_path / "answers.json"
    replay.write_text(json.dumps(state(first)["context"]))

    again = Path(cookiecutter(str(ROOT), replay=str(replay), output_dir=str(tmp_path / "again")))

    assert again.name == first.name
    assert tree(again) == tree(first)


def test_cruft_update_applies_a_later_template_version(tmp_path: Path) -> None:
    template, project = template_and_project(tmp_path)
    assert state(project)["commit"] == git(template, "rev-parse", "HEAD")
    # The user edits a file; the template changes another one.
    with (project / "README.md").open("a") as readme:
        readme.write("\nOur own notes.\n")
    git(project, "commit", "-q", "-am", "notes")
    relative = TEMPLATE_DIR.relative_to(ROOT) / ".env.example"
    with (template / relative).open("a") as example:
        example.write("# added in template v2\n")
    git(template, "commit", "-q", "-am", "v2")

    assert cruft.update(project_dir=project, skip_apply_ask=True)

    assert (project / ".env.example").read_text().endswith("# added in template v2\n")
    assert (project / "README.md").read_text().endswith("Our own notes.\n")
    assert state(project)["commit"] == git(template, "rev-parse", "HEAD")
    assert not list(project.rglob("*.rej"))


@pytest.fixture(autouse=True)
def _isolated_cookiecutter_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Replay files and cloned templates go to the test's directory, not the user's home.
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cookiecutters'}\n"
        f"replay_dir: {tmp_path / 'replay'}\n"
        f"abbreviations:\n  gh: '{ROOT.parent}/{{0}}'\n"
    )
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
