"""hapi-sync-bot against the in-memory Medplum and a real (loopback) external FHIR server.

Runs go through `execute_sync`, the same adapter Medplum's runtime uses, so the logs checked
here are the lines that would land in the Bot's AuditEvent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from medplum_bots.errors import outcome_text
from medplum_bots.runtime.adapter import BotResult
from medplum_bots.testing import execute_sync, make_payload

from bots.hapi_sync_bot import (
    BASE_URL_SECRET,
    DELETED_HEADER,
    EXTERNAL_ID_SYSTEM,
    MEDPLUM_ID_SYSTEM,
    handler,
)
from medplum_bots import InMemoryMedplum
from tests.fhir_endpoint import FhirEndpoint, serve

MRN = {"system": "http://hospital.example/mrn", "value": "MRN-7"}


@pytest.fixture
def external() -> Iterator[FhirEndpoint]:
    with serve() as endpoint:
        yield endpoint


@pytest.fixture
def medplum() -> InMemoryMedplum:
    return InMemoryMedplum()


def new_patient(medplum: InMemoryMedplum) -> dict[str, Any]:
    patient = {"resourceType": "Patient", "name": [{"family": "Doe"}], "identifier": [MRN]}
    return medplum.client().create_resource(patient)


def run(
    medplum: InMemoryMedplum,
    patient: dict[str, Any],
    base_url: str | None,
    headers: dict[str, str] | None = None,
) -> BotResult:
    secrets = {BASE_URL_SECRET: base_url} if base_url else {}
    payload = make_payload(patient, secrets=secrets, headers=headers)
    return execute_sync(handler, payload, transport=medplum)


def test_create_mirrors_the_patient_and_records_the_external_id(
    medplum: InMemoryMedplum, external: FhirEndpoint
) -> None:
    patient = new_patient(medplum)

    result = run(medplum, patient, external.base_url)

    assert result.ok, result.outcome
    [copy] = external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"])
    assert MRN in copy["identifier"]
    assert "meta" not in copy  # Medplum's bookkeeping stays in Medplum
    stored = medplum.client().read_resource("Patient", patient["id"])
    assert {"system": EXTERNAL_ID_SYSTEM, "value": copy["id"]} in stored["identifier"]
    assert result.result == stored
    assert f"External Request: External sync PUT for {patient['id']} - SUCCESS" in result.logs


def test_a_rerun_updates_the_same_record_and_leaves_medplum_alone(
    medplum: InMemoryMedplum, external: FhirEndpoint
) -> None:
    patient = new_patient(medplum)
    run(medplum, patient, external.base_url)
    # The write-back can fire the update Subscription again: this is that second run.
    synced = medplum.client().read_resource("Patient", patient["id"])
    changed = {**synced, "gender": "female"}

    result = run(medplum, changed, external.base_url)

    assert result.ok, result.outcome
    copies = external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"])
    assert [c["gender"] for c in copies] == ["female"]
    after = medplum.client().read_resource("Patient", patient["id"])
    assert after["meta"]["versionId"] == synced["meta"]["versionId"]


@pytest.mark.parametrize("wrapped", [True, False], ids=["current-medplum", "older-medplum"])
def test_the_deleted_resource_header_deletes_the_external_record(
    medplum: InMemoryMedplum, external: FhirEndpoint, wrapped: bool
) -> None:
    patient = new_patient(medplum)
    run(medplum, patient, external.base_url)
    medplum.client().delete_resource("Patient", patient["id"])
    # Current Medplum servers send {"deletedResource": <Patient>}; older ones the Patient.
    deletion = {"deletedResource": patient} if wrapped else patient

    result = run(medplum, deletion, external.base_url, {DELETED_HEADER: f"Patient/{patient['id']}"})

    assert result.ok, result.outcome
    assert external.find("Patient", MEDPLUM_ID_SYSTEM, patient["id"]) == []
    assert external.requests[-1][0] == "DELETE"
    assert f"External Request: External sync DELETE for {patient['id']} - SUCCESS" in result.logs


def test_the_seeds_delete_header_is_not_what_medplum_sends(
    medplum: InMemoryMedplum, external: FhirEndpoint
) -> None:
    patient = new_patient(medplum)

    result = run(medplum, patient, external.base_url, {"x-medplum-delete": "true"})

    assert result.ok, result.outcome
    assert [method for method, _ in external.requests] == ["PUT"]


def test_an_external_failure_fails_the_run_and_changes_nothing(
    medplum: InMemoryMedplum, external: FhirEndpoint
) -> None:
    patient = new_patient(medplum)
    external.fail_next(500)

    result = run(medplum, patient, external.base_url)

    assert not result.ok
    assert "External request failed: 500 Internal Server Error" in outcome_text(result.outcome)
    assert f"External Request: External sync PUT for {patient['id']} - FAILED" in result.logs
    stored = medplum.client().read_resource("Patient", patient["id"])
    assert stored["identifier"] == [MRN]


def test_without_the_secret_the_run_fails_before_any_request(
    medplum: InMemoryMedplum, external: FhirEndpoint
) -> None:
    result = run(medplum, new_patient(medplum), None)

    assert not result.ok
    assert BASE_URL_SECRET in outcome_text(result.outcome)
    assert external.requests == []


def test_only_patients_are_accepted(medplum: InMemoryMedplum, external: FhirEndpoint) -> None:
    result = run(medplum, {"resourceType": "Observation", "id": "o1"}, external.base_url)

    assert not result.ok
    assert "expected a Patient, got Observation" in outcome_text(result.outcome)
    assert external.requests == []
