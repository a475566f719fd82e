"""intake_bot on the fixture set's intake response (Ned Flanders, not yet a patient).

Portable: no fixed ids, so these tests also pass against a server (`pytest --medplum ENV`;
tests/testing/test_pytest_plugin.py runs them against the stand-in), except the one that
inspects the in-memory server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from medplum_bots import BotEvent, InMemoryMedplum, MedplumClient
from medplum_bots.runtime.adapter import BotResult
from medplum_bots.testing.fixtures import Fixtures
from tests.examples.intake_bot import IntakeError, handler

pytestmark = pytest.mark.medplum_fixtures("simpsons")
NED = "QuestionnaireResponse/ned-flanders-intake"


def run(medplum: MedplumClient, response: Mapping[str, Any]) -> dict[str, Any]:
    return handler(medplum, BotEvent(bot={"reference": "Bot/intake"}, input=response))


def answered(response: dict[str, Any], link: str, answer: list[dict[str, Any]]) -> dict[str, Any]:
    items = [{**i, "answer": answer} if i["linkId"] == link else i for i in response["item"]]
    return {**response, "item": items}


def test_the_response_becomes_a_patient_with_observations(
    medplum: MedplumClient, medplum_fixtures: Fixtures
) -> None:
    response = medplum_fixtures[NED]

    result = run(medplum, response)

    patient = medplum.read_reference(result["patient"])
    assert patient["name"] == [{"given": ["Ned"], "family": "Flanders"}]
    assert (patient["birthDate"], patient["gender"]) == ("1960-09-07", "male")
    assert {"system": "email", "value": "ned@leftorium.example"} in patient["telecom"]
    observations = [medplum.read_reference(r) for r in result["observations"]]
    values = {
        o["code"]["coding"][0]["code"]: o.get("valueQuantity", {}).get("value")
        for o in observations
    }
    assert values == {"29463-7": 72.5, "8302-2": 178, "72166-2": None}
    assert all(o["subject"]["reference"] == result["patient"] for o in observations)
    derived = [{"reference": f"QuestionnaireResponse/{medplum_fixtures.id(NED)}"}]
    assert all(o["derivedFrom"] == derived for o in observations)
    stored = medplum.read_resource("QuestionnaireResponse", medplum_fixtures.id(NED))
    assert stored["subject"]["reference"] == result["patient"]


def test_running_twice_creates_nothing_more(
    medplum: MedplumClient, medplum_fixtures: Fixtures
) -> None:
    first = run(medplum, medplum_fixtures[NED])
    again = run(medplum, medplum.read_resource("QuestionnaireResponse", medplum_fixtures.id(NED)))

    assert again == first
    assert len(medplum.search_resources("Patient", {"family": "Flanders"})) == 1
    assert len(medplum.search_resources("Observation", {"subject": first["patient"]})) == 3


def test_no_consent_no_email(medplum: MedplumClient, medplum_fixtures: Fixtures) -> None:
    response = answered(medplum_fixtures[NED], "consent", [{"valueBoolean": False}])

    patient = medplum.read_reference(run(medplum, response)["patient"])

    assert [t["system"] for t in patient["telecom"]] == ["phone"]


def test_a_missing_answer_fails_and_writes_nothing(
    medplum: MedplumClient, medplum_fixtures: Fixtures, medplum_inmemory: InMemoryMedplum
) -> None:
    response = answered(medplum_fixtures[NED], "last-name", [{"valueString": "  "}])

    with pytest.raises(IntakeError, match="missing answer\\(s\\): last-name"):
        run(medplum, response)
    assert len(medplum_inmemory.all("Patient")) == 4  # the Simpsons only
    assert medplum_inmemory.all("QuestionnaireResponse")[0] == medplum_fixtures[NED]


def test_as_deployed_the_log_names_the_patient(
    medplum_execute: Callable[..., BotResult], medplum_fixtures: Fixtures
) -> None:
    result = medplum_execute(handler, medplum_fixtures[NED])

    assert result.ok, result.outcome
    assert result.logs == ["Intake of Ned Flanders: 3 observation(s)"]
