"""Tests of your first bot: a model for your own.

`medplum`, `medplum_fixtures` and `medplum_execute` come from medplum-bots' pytest plugin:
each test gets a fresh in-memory Medplum (or, with `invoke test --medplum staging`, the
staging project, where what a test creates is deleted after it). See docs/testing.md.
`invoke new` writes a test like the first one for each new bot.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from medplum_bots import BotEvent, MedplumClient
from medplum_bots.runtime.adapter import BotResult
from medplum_bots.testing.fixtures import Fixtures

from bots import {{ cookiecutter.__first_bot_module }} as bot

PATIENT = json.loads((Path(__file__).parents[1] / "examples" / "patient.json").read_text())


def test_says_hello_to_the_patient(
    medplum: MedplumClient, capsys: pytest.CaptureFixture[str]
) -> None:
    patient = medplum.create_resource(PATIENT)
    event = BotEvent(bot={"reference": "Bot/example"}, input=patient)

    assert bot.handler(medplum, event) is True
    assert capsys.readouterr().out == "Hello Jane Doe!\n"


@pytest.mark.medplum_fixtures("simpsons")
def test_says_hello_to_homer(
    medplum: MedplumClient, medplum_fixtures: Fixtures, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixture set: Homer Simpson and family, Dr. Alice Smith, their observations..."""
    homer = medplum.read_resource("Patient", medplum_fixtures.id("Patient/homer-simpson"))

    assert bot.handler(medplum, BotEvent(bot={"reference": "Bot/example"}, input=homer)) is True
    assert capsys.readouterr().out == "Hello Homer Simpson!\n"


def test_runs_as_on_medplum(medplum_execute: Callable[..., BotResult]) -> None:
    """Through the runtime's adapter: `logs` is what Medplum's AuditEvent would show."""
    result = medplum_execute(bot.handler, PATIENT)

    assert result.ok
    assert result.result is True
    assert result.logs == ["Hello Jane Doe!"]
