"""Conditional interactions, If-Match and batch/transaction Bundles, answered as Medplum does."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from medplum_bots import InMemoryMedplum, MedplumClient, OperationOutcomeError

MRN = "http://hospital.example/mrn"
FHIR = "http://medplum.local/fhir/R4/"


@pytest.fixture
def server() -> InMemoryMedplum:
    return InMemoryMedplum()


@pytest.fixture
def medplum(server: InMemoryMedplum) -> MedplumClient:
    return server.client()


def raw(server: InMemoryMedplum) -> httpx.Client:
    return httpx.Client(transport=server, base_url=FHIR)


def patient(value: str, family: str = "Doe") -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "identifier": [{"system": MRN, "value": value}],
        "name": [{"family": family}],
    }


def text_of(response: httpx.Response) -> str:
    return str(response.json()["issue"][0]["details"]["text"])


def test_conditional_update_creates_updates_or_refuses(server: InMemoryMedplum) -> None:
    with raw(server) as http:
        url = f"Patient?identifier={MRN}|1"
        created = http.put(url, json=patient("1"))
        updated = http.put(url, json=patient("1", "Changed"))
        assert (created.status_code, updated.status_code) == (201, 200)
        assert updated.json()["id"] == created.json()["id"]
        assert updated.json()["meta"]["versionId"] == "2"

        with_id = http.put(f"Patient?identifier={MRN}|2", json={**patient("2"), "id": "mine"})
        assert with_id.status_code == 400
        assert text_of(with_id) == "Cannot perform create as update with client-assigned ID"
        wrong_id = http.put(url, json={**patient("1"), "id": "someone-else"})
        assert text_of(wrong_id) == "Resource ID did not match resolved ID"

        http.post("Patient", json=patient("dup"))
        http.post("Patient", json=patient("dup"))
        several = http.put(f"Patient?identifier={MRN}|dup", json=patient("dup"))
        assert several.status_code == 412
        assert text_of(several) == "Multiple resources found matching condition"


def test_conditional_delete_and_patch(server: InMemoryMedplum) -> None:
    with raw(server) as http:
        http.post("Patient", json=patient("1"))
        patch = [{"op": "add", "path": "/active", "value": True}]
        patched = http.patch(
            f"Patient?identifier={MRN}|1",
            content=json.dumps(patch),
            headers={"content-type": "application/json-patch+json"},
        )
        assert patched.status_code == 200
        assert patched.json()["active"] is True
        assert http.delete(f"Patient?identifier={MRN}|none").status_code == 200  # nothing: ok
        assert http.delete(f"Patient?identifier={MRN}|1").status_code == 200
        assert server.all("Patient") == []
        http.post("Patient", json=patient("x"))
        http.post("Patient", json=patient("x"))
        assert http.delete(f"Patient?identifier={MRN}|x").status_code == 412


def test_conditional_create_answers_the_existing_resource(medplum: MedplumClient) -> None:
    first = medplum.create_resource_if_none_exist(patient("1"), {"identifier": f"{MRN}|1"})
    again = medplum.create_resource_if_none_exist(patient("1"), {"identifier": f"{MRN}|1"})
    assert again["id"] == first["id"]


def test_if_match_uses_medplums_weak_etags(server: InMemoryMedplum) -> None:
    with raw(server) as http:
        created = http.post("Patient", json=patient("1"))
        assert created.headers["etag"] == 'W/"1"'
        body = created.json()
        ok = http.put(
            f"Patient/{body['id']}", json={**body, "active": True}, headers={"if-match": 'W/"1"'}
        )
        assert (ok.status_code, ok.headers["etag"]) == (200, 'W/"2"')
        stale = http.put(
            f"Patient/{body['id']}", json={**body, "active": False}, headers={"if-match": 'W/"1"'}
        )
        assert stale.status_code == 412
        assert text_of(stale) == "Precondition Failed"
        assert http.get(f"Patient/{body['id']}").headers["etag"] == 'W/"2"'


def test_transaction_rewrites_urn_uuids_and_answers_each_entry(medplum: MedplumClient) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:obs",
                "request": {"method": "POST", "url": "Observation"},
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"text": "hr"},
                    "subject": {"reference": "urn:uuid:pat"},  # a forward reference
                },
            },
            {
                "fullUrl": "urn:uuid:pat",
                "request": {"method": "POST", "url": "Patient"},
                "resource": patient("1"),
            },
        ],
    }
    answer = medplum.post("fhir/R4/", bundle)

    assert answer["type"] == "transaction-response"
    obs_entry, pat_entry = answer["entry"]
    assert [e["response"]["status"] for e in answer["entry"]] == ["201", "201"]
    pat = pat_entry["resource"]
    assert obs_entry["resource"]["subject"] == {"reference": f"Patient/{pat['id']}"}
    assert pat_entry["response"]["location"] == f"Patient/{pat['id']}/_history/1"
    assert pat_entry["response"]["outcome"]["issue"][0]["details"]["text"] == "Created"
    assert medplum.read_resource("Patient", pat["id"])["identifier"][0]["value"] == "1"


def test_a_failing_transaction_changes_nothing(
    server: InMemoryMedplum, medplum: MedplumClient
) -> None:
    existing = medplum.create_resource(patient("keep"))
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("new")},
            {"request": {"method": "DELETE", "url": f"Patient/{existing['id']}"}},
            {"request": {"method": "GET", "url": "Patient/does-not-exist"}},
        ],
    }
    with pytest.raises(OperationOutcomeError) as caught:
        medplum.post("fhir/R4/", bundle)
    assert caught.value.status == 404
    assert [p["id"] for p in server.all("Patient")] == [existing["id"]]


def test_batch_entries_are_independent(medplum: MedplumClient) -> None:
    existing = medplum.create_resource(patient("1"))
    patch = base64.b64encode(json.dumps([{"op": "add", "path": "/active", "value": True}]).encode())
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "POST", "url": "Patient"}, "resource": patient("2")},
            {"request": {"method": "GET", "url": "Patient/missing"}},
            {"request": {"method": "GET", "url": f"Patient?identifier={MRN}|1"}},
            {
                "request": {"method": "PATCH", "url": f"Patient/{existing['id']}"},
                "resource": {
                    "resourceType": "Binary",
                    "contentType": "application/json-patch+json",
                    "data": patch.decode(),
                },
            },
            {
                "request": {
                    "method": "POST",
                    "url": "Patient",
                    "ifNoneExist": f"identifier={MRN}|1",
                },
                "resource": patient("1"),
            },
            {"request": {"method": "DELETE", "url": f"Patient/{existing['id']}"}},
            {"request": {"url": "Patient"}},
        ],
    }
    answer = medplum.post("fhir/R4/", bundle)

    assert answer["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses == ["201", "404", "200", "200", "200", "200", "400"]
    assert answer["entry"][2]["resource"]["type"] == "searchset"
    assert answer["entry"][3]["resource"]["active"] is True
    assert answer["entry"][4]["resource"]["id"] == existing["id"]
    assert answer["entry"][6]["response"]["outcome"]["issue"][0]["details"]["text"] == (
        "Missing entry.request.method"
    )


def test_bundles_that_are_not_batches_are_refused(medplum: MedplumClient) -> None:
    for bundle, message in (
        ({"resourceType": "Bundle", "entry": []}, "Missing bundle type"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "Unrecognized bundle type"),
        ({"resourceType": "Bundle", "type": "batch"}, "Missing bundle entry"),
    ):
        with pytest.raises(OperationOutcomeError, match=message) as caught:
            medplum.post("fhir/R4/", bundle)
        assert caught.value.status == 400
