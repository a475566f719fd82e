"""A generated project's `mypy --strict` checks FHIR: a misspelled key in a bot is an error.

The starter bot types its input (`BotEvent[Patient]`) and the client answers are typed by
resource type, so `invoke lint` (which runs the project's mypy) catches `patient["nmae"]`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.template import install, render, run_in

TYPO_BOT = '''"""A bot with FHIR mistakes mypy must report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medplum_bots import BotEvent, MedplumClient

if TYPE_CHECKING:
    from medplum_bots.fhir import Patient


def handler(medplum: MedplumClient, event: BotEvent[Patient]) -> object:
    patient = event.input
    print(patient["nmae"])
    observation = medplum.read_resource("Observation", "1")
    print(observation["valueStrin"])
    return medplum.search_one("Patinet")
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    generated = render(tmp_path_factory.mktemp("types"), include_sync_examples=True)
    installed = install(generated)
    assert installed.returncode == 0, installed.stderr
    return generated


def test_untouched_project_passes_lint(project: Path) -> None:
    result = run_in(project, "invoke", "lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_reports_fhir_mistakes_in_a_bot(project: Path) -> None:
    bot = project / "src" / "bots" / "typo_bot.py"
    bot.write_text(TYPO_BOT, encoding="utf-8")
    try:
        result = run_in(project, "mypy", str(bot.relative_to(project)))
    finally:
        bot.unlink()
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert 'TypedDict "Patient" has no key "nmae"' in out
    assert 'TypedDict "Observation" has no key "valueStrin"' in out
    assert 'No overload variant of "search_one"' in out
