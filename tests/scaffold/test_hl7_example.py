"""The optional HL7 v2 example (`include_hl7_example`): its bot and tests when asked for, and
the generated project's lint and tests pass with it; nothing of it otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.template import install, render, run_in

FILES = (
    "src/bots/oru_results_bot.py",
    "tests/test_oru_results_bot.py",
    "examples/oru_r01.hl7",
)


def test_with_the_example_lint_and_tests_pass(tmp_path: Path) -> None:
    project = render(tmp_path, include_hl7_example=True)
    for relative in FILES:
        assert (project / relative).is_file(), relative
    installed = install(project)
    assert installed.returncode == 0, installed.stderr

    lint = run_in(project, "invoke", "lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    everything = run_in(project, "invoke", "test")
    assert everything.returncode == 0, everything.stdout + everything.stderr
    tests = run_in(project, "pytest", "-p", "no:cacheprovider", "tests/test_oru_results_bot.py")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    # Its config entries make it runnable and deployable like any bot; the example message
    # (CR-separated, as HL7 v2 travels) is answered with an ACK. No Patient M1234 in memory:
    # the bot answers AE, naming the unknown MRN.
    config = json.loads((project / "medplum.config.json").read_text())
    names = {entry["name"] for entry in config["bots"]}
    assert {"oru-results-bot-staging", "oru-results-bot-production"} <= names
    assert b"\r" in (project / "examples/oru_r01.hl7").read_bytes()
    ran = run_in(
        project,
        "invoke",
        "run",
        "--name",
        "oru-results-bot-staging",
        "--input",
        "examples/oru_r01.hl7",
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "MSA|AE|MSG-1" in ran.stdout
    built = run_in(project, "invoke", "build", "--name", "oru-results-bot-*")
    assert built.returncode == 0, built.stdout + built.stderr
    assert (project / "dist/bots/oru_results_bot.py").is_file()


@pytest.mark.parametrize("answer", [False, "no"])
def test_without_the_example_nothing_of_it_is_left(tmp_path: Path, answer: object) -> None:
    project = render(tmp_path, include_hl7_example=answer)
    for relative in FILES:
        assert not (project / relative).exists(), relative
    assert not [p for p in project.rglob("*") if "oru" in p.name.lower()]


def test_the_first_bot_cannot_take_its_name(tmp_path: Path) -> None:
    with pytest.raises(FailedHookException):
        render(tmp_path, first_bot_name="oru-results-bot")
    assert list(tmp_path.iterdir()) == []
