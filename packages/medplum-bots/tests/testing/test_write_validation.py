"""Every write path validates: the store has one write function, and it refuses what Medplum
refuses, whichever interaction reached it (issue 16: a conditional update that created used to
store `{"gender": "robot", "bogusField": 1}`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from medplum_bots import InMemoryMedplum
from medplum_bots.testing.inmemory import FhirError

MRN = "http://hospital.example/mrn"
FHIR = "http://medplum.local/fhir/R4/"
BAD = {"gender": "robot", "bogusField": 1}
Write = Callable[[httpx.Client, dict[str, Any]], httpx.Response]


def patient(**fields: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "identifier": [{"system": MRN, "value": "1"}], **fields}


def seed(http: httpx.Client) -> dict[str, Any]:
    created = http.post("Patient", json=patient())
    assert created.status_code == 201
    answer: dict[str, Any] = created.json()
    return answer


def bundle(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [entry]}


def bad_ops() -> list[dict[str, Any]]:
    return [{"op": "add", "path": f"/{k}", "value": v} for k, v in BAD.items()]


def entry_status(answer: httpx.Response) -> int:
    """A batch answers 200 and puts each entry's status in its response."""
    if answer.status_code != 200:
        return answer.status_code
    return int(answer.json()["entry"][0]["response"]["status"].split()[0])


WRITES: dict[str, Write] = {
    "create": lambda http, _: http.post("Patient", json=patient(**BAD)),
    "conditional create": lambda http, _: http.post(
        "Patient", json=patient(**BAD), headers={"If-None-Exist": f"identifier={MRN}|2"}
    ),
    "update": lambda http, p: http.put(f"Patient/{p['id']}", json={**p, **BAD}),
    "update that creates": lambda http, _: http.put(
        "Patient/new-id", json={**patient(**BAD), "id": "new-id"}
    ),
    "conditional update": lambda http, p: http.put(
        f"Patient?identifier={MRN}|1", json={**p, **BAD}
    ),
    "conditional update that creates": lambda http, _: http.put(
        f"Patient?identifier={MRN}|2", json={"resourceType": "Patient", **BAD}
    ),
    "patch": lambda http, p: http.patch(
        f"Patient/{p['id']}",
        content=json.dumps(bad_ops()),
        headers={"Content-Type": "application/json-patch+json"},
    ),
    "conditional patch": lambda http, _: http.patch(
        f"Patient?identifier={MRN}|1",
        content=json.dumps(bad_ops()),
        headers={"Content-Type": "application/json-patch+json"},
    ),
    "batch create": lambda http, _: http.post(
        "",
        json=bundle(
            "batch",
            {"resource": patient(**BAD), "request": {"method": "POST", "url": "Patient"}},
        ),
    ),
    "transaction conditional update": lambda http, _: http.post(
        "",
        json=bundle(
            "transaction",
            {
                "resource": {"resourceType": "Patient", **BAD},
                "request": {"method": "PUT", "url": f"Patient?identifier={MRN}|2"},
            },
        ),
    ),
}


@pytest.mark.parametrize("path", sorted(WRITES))
def test_every_write_path_refuses_an_invalid_resource(path: str) -> None:
    server = InMemoryMedplum()
    with httpx.Client(transport=server, base_url=FHIR) as http:
        existing = seed(http)
        before = {p["id"]: p for p in server.all("Patient")}
        answer = WRITES[path](http, existing)
        assert entry_status(answer) == 400, answer.text
        assert {p["id"]: p for p in server.all("Patient")} == before
        assert not any("bogusField" in v for p in before for v in _history(http, p)), (
            "an invalid version reached the history"
        )


def _history(http: httpx.Client, resource_id: str) -> list[dict[str, Any]]:
    entries = http.get(f"Patient/{resource_id}/_history").json()["entry"]
    return [e["resource"] for e in entries if "resource" in e]


def test_conditional_delete_leaves_valid_data_alone() -> None:
    """Deletion stores no content; it goes through the same write function all the same."""
    server = InMemoryMedplum()
    with httpx.Client(transport=server, base_url=FHIR) as http:
        seed(http)
        assert http.delete(f"Patient?identifier={MRN}|1").status_code == 200
        assert server.all("Patient") == []


def test_validate_false_stores_what_medplum_would_refuse() -> None:
    server = InMemoryMedplum(validate=False)
    with httpx.Client(transport=server, base_url=FHIR) as http:
        answer = http.put(f"Patient?identifier={MRN}|2", json={"resourceType": "Patient", **BAD})
        assert answer.status_code == 201
        assert server.all("Patient")[0]["bogusField"] == 1


def test_direct_writes_validate_too() -> None:
    """`create`/`update` (seeding, the stand-in's own writes) use the same write function."""
    server = InMemoryMedplum()
    with pytest.raises(FhirError) as refused:
        server.create({"resourceType": "Patient", **BAD})
    assert refused.value.status == 400
    assert "Patient.bogusField" in refused.value.outcome["issue"][0]["expression"]
    stored = server.create(patient())
    with pytest.raises(FhirError):
        server.update({**stored, **BAD})
    assert server.history("Patient", stored["id"]) == [stored]
    seeded = server.create({"resourceType": "Patient", **BAD}, validate=False)
    assert server.read("Patient", seeded["id"])["bogusField"] == 1
