"""hapi-sync-simple-bot against the in-memory Medplum and a loopback external FHIR server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from medplum_bots.errors import outcome_text
from medplum_bots.testing import execute_sync, make_payload

from bots.hapi_sync_simple_bot import BASE_URL_SECRET, DELETED_HEADER, MEDPLUM_ID_SYSTEM, handler
from medplum_bots import BotEvent, Headers, InMemoryMedplum, OperationOutcomeError
from tests.fhir_endpoint import FhirEndpoint, serve


@pytest.fixture
def external() -> Iterator[FhirEndpoint]:
    with serve() as endpoint:
        yield endpoint


def event(
    patient: dict[str, Any], base_url: str, headers: dict[str, str] | None = None
) -> BotEvent:
    return BotEvent(
        bot={"reference": "Bot/hapi-sync-simple-bot"},
        input=patient,
        content_type="application/fhir+json",
        secrets={BASE_URL_SECRET: {"name": BASE_URL_SECRET, "valueString": base_url}},
        headers=Headers(headers),
    )


def test_create_update_delete_keep_one_external_record_in_step(external: FhirEndpoint) -> None:
    medplum = InMemoryMedplum().client()
    patient = medplum.create_resource({"resourceType": "Patient", "name": [{"family": "Doe"}]})

    assert handler(medplum, event(patient, external.base_url)) is True
    [created] = external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"])

    renamed = medplum.update_resource({**patient, "name": [{"family": "Roe"}]})
    assert handler(medplum, event(renamed, external.base_url)) is True
    [updated] = external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"])
    assert updated["id"] == created["id"]
    assert updated["name"] == [{"family": "Roe"}]

    deleted = {DELETED_HEADER: f"Patient/{patient['id']}"}
    deletion = {"deletedResource": renamed}  # what Medplum sends when a Patient is deleted
    assert handler(medplum, event(deletion, external.base_url, deleted)) is True
    assert external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"]) == []


def test_the_delete_header_alone_names_the_patient(external: FhirEndpoint) -> None:
    medplum = InMemoryMedplum().client()
    patient = medplum.create_resource({"resourceType": "Patient"})
    handler(medplum, event(patient, external.base_url))

    bare = {"resourceType": "Patient"}  # no id in the input: the header still names it
    deleted = {DELETED_HEADER: f"Patient/{patient['id']}"}
    assert handler(medplum, event(bare, external.base_url, deleted)) is True
    assert external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"]) == []


def test_failures_raise_and_are_logged(
    external: FhirEndpoint, capsys: pytest.CaptureFixture[str]
) -> None:
    medplum = InMemoryMedplum().client()
    patient = medplum.create_resource({"resourceType": "Patient"})
    external.fail_next(409)

    with pytest.raises(OperationOutcomeError, match="409 Conflict"):
        handler(medplum, event(patient, external.base_url))
    out, err = capsys.readouterr()
    assert out == f"External Request: External sync PUT for {patient['id']} - FAILED\n"
    assert err == "Error: External request failed: 409 Conflict\n"


def test_through_the_adapter_logs_land_in_the_result(external: FhirEndpoint) -> None:
    memory = InMemoryMedplum()
    patient = memory.client().create_resource({"resourceType": "Patient"})
    payload = make_payload(patient, secrets={BASE_URL_SECRET: external.base_url})

    result = execute_sync(handler, payload, transport=memory)

    assert result.ok and result.result is True
    assert result.logs == [f"External Request: External sync PUT for {patient['id']} - SUCCESS"]


def test_an_unreachable_server_is_an_exception_outcome() -> None:
    memory = InMemoryMedplum()
    patient = memory.client().create_resource({"resourceType": "Patient"})
    with serve() as gone:
        closed_url = gone.base_url  # the port is free again once the server stops
    payload = make_payload(patient, secrets={BASE_URL_SECRET: closed_url})

    result = execute_sync(handler, payload, transport=memory)

    assert not result.ok
    assert outcome_text(result.outcome).startswith("Network or processing error")
