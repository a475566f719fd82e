"""Tests of your first bot, run offline against an in-memory Medplum: a model for your own.

`invoke new` writes a test like the first one for each new bot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from medplum_bots import BotEvent, InMemoryMedplum
from medplum_bots.testing import execute_sync, make_payload

from bots import {{ cookiecutter.__first_bot_module }} as bot

PATIENT = json.loads((Path(__file__).parents[1] / "examples" / "patient.json").read_text())


def test_says_hello_to_the_patient(capsys: pytest.CaptureFixture[str]) -> None:
    medplum = InMemoryMedplum().client()
    patient = medplum.create_resource(PATIENT)
    event = BotEvent(bot={"reference": "Bot/example"}, input=patient)

    assert bot.handler(medplum, event) is True
    assert capsys.readouterr().out == "Hello Jane Doe!\n"


def test_runs_as_on_medplum() -> None:
    """Through the runtime's adapter: `logs` is what Medplum's AuditEvent would show."""
    medplum = InMemoryMedplum()

    result = execute_sync(bot.handler, make_payload(PATIENT), transport=medplum)

    assert result.ok
    assert result.result is True
    assert result.logs == ["Hello Jane Doe!"]
