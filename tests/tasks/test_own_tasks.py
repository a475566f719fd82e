"""tasks.py: medplum-bots' tasks through a few lines, with room for the project's own.

The generated tasks.py shows, commented out, how to add a task. Uncommented as it says, the
example must work: listed with the package's tasks, runnable, and clean under ruff and mypy.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from medplum_bots.tasks import namespace

from tests.template import render, run_in


def uncomment_the_example(tasks_py: str) -> str:
    """What a user does: uncomment the code lines (prose comments start with a capital)."""
    return (
        "\n".join(re.sub(r"^#(?: (?![A-Z])|$)", "", line) for line in tasks_py.splitlines()) + "\n"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("own-tasks"))


def test_tasks_py_is_a_few_lines_over_the_package(project: Path) -> None:
    text = (project / "tasks.py").read_text()
    code = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert "from medplum_bots.tasks import namespace" in text
    assert len(code) < 12, code


def test_the_example_task_works_once_uncommented(project: Path) -> None:
    tasks_py = project / "tasks.py"
    tasks_py.write_text(uncomment_the_example(tasks_py.read_text()))

    listed = run_in(project, "invoke", "--list")
    hello = run_in(project, "invoke", "hello", "--name", "Ada")
    helped = run_in(project, "invoke", "--help", "hello")
    styled = run_in(project, "ruff", "check", "tasks.py")
    formatted = run_in(project, "ruff", "format", "--check", "tasks.py")
    typed = run_in(project, "mypy", "tasks.py")

    names = set(re.findall(r"^  (\S+)", listed.stdout, re.M))  # wrapped lines start deeper
    assert names == {*namespace.tasks, "hello"}, listed.stdout + listed.stderr
    assert hello.returncode == 0 and hello.stdout == "hello Ada\n", hello.stderr
    assert "Who to greet." in helped.stdout
    assert styled.returncode == 0, styled.stdout
    assert formatted.returncode == 0, formatted.stdout
    assert typed.returncode == 0, typed.stdout
