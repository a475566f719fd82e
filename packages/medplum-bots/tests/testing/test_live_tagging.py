"""`TaggingTransport`: what `--medplum ENV` tags and records, over an in-memory server (the
whole loop, cleanup included, runs against the stand-in in test_pytest_plugin.py)."""

from __future__ import annotations

from medplum_bots import InMemoryMedplum, MedplumClient
from medplum_bots.testing.inmemory import BASE_URL
from medplum_bots.testing.live import TEST_RUN_SYSTEM, TaggingTransport, Writes

TAG = {"system": TEST_RUN_SYSTEM, "code": "run-1", "display": "tests/test_x.py::test_y"}


def tagging_client(memory: InMemoryMedplum, writes: Writes) -> MedplumClient:
    transport = TaggingTransport(BASE_URL + "fhir/R4/", TAG, writes, sync=memory)
    return MedplumClient(BASE_URL, access_token="t", transport=transport)


def test_creates_are_tagged_and_recorded() -> None:
    memory, writes = InMemoryMedplum(), Writes()
    medplum = tagging_client(memory, writes)
    other = {"system": "https://example.org/tags", "code": "keep"}

    patient = medplum.create_resource(
        {"resourceType": "Patient", "meta": {"tag": [other]}, "active": True}
    )
    binary = medplum.create_binary(b"%PDF-1.4", "application/pdf")

    assert patient["meta"]["tag"] == [other, TAG]
    assert writes.types == {"Patient", "Binary"}
    assert writes.created == [f"Patient/{patient['id']}", f"Binary/{binary['id']}"]


def test_updates_of_existing_data_are_not_tagged_nor_recorded_as_created() -> None:
    memory, writes = InMemoryMedplum(), Writes()
    existing = memory.client().create_resource({"resourceType": "Patient", "active": True})
    medplum = tagging_client(memory, writes)

    updated = medplum.update_resource({**existing, "active": False})
    medplum.patch_resource(
        "Patient", existing["id"], [{"op": "add", "path": "/gender", "value": "other"}]
    )
    medplum.search("Patient", {"_tag": f"{TEST_RUN_SYSTEM}|run-1"})

    assert "tag" not in updated["meta"]
    assert writes.created == []


def test_batch_entries_that_create_are_tagged() -> None:
    memory, writes = InMemoryMedplum(), Writes()
    existing = memory.client().create_resource({"resourceType": "Patient", "active": True})
    medplum = tagging_client(memory, writes)

    answer = medplum.post(
        "fhir/R4/",
        {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                {
                    "request": {"method": "POST", "url": "Observation"},
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "code": {"text": "weight"},
                    },
                },
                {
                    "request": {"method": "PUT", "url": f"Patient/{existing['id']}"},
                    "resource": {**existing, "active": False},
                },
            ],
        },
    )

    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses[0].startswith("201") and statuses[1].startswith("200")
    observation = memory.all("Observation")[0]
    assert observation["meta"]["tag"] == [TAG]
    assert "tag" not in memory.all("Patient")[0]["meta"]
    assert writes.created == [f"Observation/{observation['id']}"]
    assert writes.types == {"Observation", "Patient"}
