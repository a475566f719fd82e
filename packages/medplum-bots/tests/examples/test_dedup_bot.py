"""dedup_bot: a second record for Homer, sent by the lab, is merged into the fixtures' Homer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from medplum_bots import BotEvent, InMemoryMedplum, MedplumClient, OperationOutcomeError
from medplum_bots.testing.fixtures import Fixtures
from tests.examples.dedup_bot import handler

pytestmark = pytest.mark.medplum_fixtures("simpsons")
LAB_ID = {"system": "https://shelbyville-lab.example/fhir/patient", "value": "SRL-P-7"}


def lab_homer(medplum: MedplumClient) -> dict[str, Any]:
    return medplum.create_resource(
        {
            "resourceType": "Patient",
            "identifier": [LAB_ID],
            "name": [{"given": ["Homer"], "family": "Simpson"}],
            "birthDate": "1956-05-12",
            "telecom": [{"system": "email", "value": "homer.j@springfield-nuclear.example"}],
        }
    )


def run(medplum: MedplumClient, patient: Mapping[str, Any]) -> dict[str, Any] | None:
    return handler(medplum, BotEvent(bot={"reference": "Bot/dedup"}, input=patient))


def test_the_duplicate_is_merged_into_homer(
    medplum: MedplumClient, medplum_fixtures: Fixtures
) -> None:
    duplicate = lab_homer(medplum)
    glucose = medplum.create_resource(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "Glucose"},
            "subject": {"reference": f"Patient/{duplicate['id']}"},
        }
    )

    result = run(medplum, duplicate)

    assert result == {
        "master": "Patient/homer-simpson",
        "duplicate": f"Patient/{duplicate['id']}",
        "moved": 1,
    }
    homer = medplum.read_resource("Patient", "homer-simpson")
    assert homer["identifier"] == [*medplum_fixtures["Patient/homer-simpson"]["identifier"], LAB_ID]
    assert {"system": "email", "value": "homer.j@springfield-nuclear.example"} in homer["telecom"]
    assert [(link["type"], link["other"]["reference"]) for link in homer["link"]] == [
        ("replaces", f"Patient/{duplicate['id']}")
    ]
    retired = medplum.read_resource("Patient", duplicate["id"])
    assert retired["active"] is False
    assert retired["link"][0]["type"] == "replaced-by"
    assert retired["link"][0]["other"]["reference"] == "Patient/homer-simpson"
    moved = medplum.read_resource("Observation", glucose["id"])
    assert moved["subject"]["reference"] == "Patient/homer-simpson"
    # Homer's own 8 observations stay his; the moved one joins them.
    assert len(medplum.search_resources("Observation", {"subject": "Patient/homer-simpson"})) == 9


def test_a_patient_without_match_is_left_alone(
    medplum: MedplumClient, medplum_inmemory: InMemoryMedplum
) -> None:
    ned = medplum.create_resource(
        {
            "resourceType": "Patient",
            "name": [{"given": ["Ned"], "family": "Flanders"}],
            "birthDate": "1960-09-07",
        }
    )
    before = len(medplum_inmemory.requests)

    assert run(medplum, ned) is None
    assert [m for m, _ in medplum_inmemory.requests[before:]] == ["GET"]  # one search, no write


def test_merging_twice_is_refused_by_the_retired_record(medplum: MedplumClient) -> None:
    duplicate = lab_homer(medplum)
    run(medplum, duplicate)

    assert run(medplum, medplum.read_resource("Patient", duplicate["id"])) is None


def test_a_concurrent_change_fails_the_whole_merge(
    medplum: MedplumClient, medplum_inmemory: InMemoryMedplum
) -> None:
    """The transaction's If-Match: a duplicate changed since it was read leaves all as it was."""
    duplicate = lab_homer(medplum)
    medplum.update_resource({**duplicate, "gender": "male"})  # someone else's edit

    with pytest.raises(OperationOutcomeError) as failed:
        run(medplum, duplicate)

    assert failed.value.status == 412
    assert "link" not in medplum.read_resource("Patient", "homer-simpson")
    assert medplum.read_resource("Patient", duplicate["id"]).get("active") is None
