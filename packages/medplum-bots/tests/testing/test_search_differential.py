"""Differential test: our search matching against @medplum/core's `matchesSearchRequest`.

The same resources and search strings go through Medplum's own matcher (one Node process,
`search_oracle.cjs`) and through `parse_search(...).filter(...)`; the matches must be the same.
The cases stay where `@medplum/core`'s in-memory matcher and Medplum's server agree (see
`docs/search.md`): core matches every string search as "contains" and tokens case-insensitively,
has no number/quantity matching and compares references as whole strings, so strings are
searched with `:contains`, tokens with their stored case, references as `Type/id`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from medplum_bots.testing.search import parse_search
from tests.fhir.oracle import REPO_ROOT, require_node_modules

ORACLE = Path(__file__).with_name("search_oracle.cjs")
LOINC = "http://loinc.org"

RESOURCES: list[dict[str, Any]] = [
    {
        "resourceType": "Patient",
        "id": "p1",
        "meta": {
            "lastUpdated": "2024-01-01T00:00:00.000Z",
            "tag": [{"system": "t", "code": "vip"}],
        },
        "identifier": [{"system": "http://mrn", "value": "123"}],
        "name": [{"family": "Lovelace", "given": ["Ada"]}],
        "gender": "female",
        "birthDate": "1815-12-10",
        "deceasedDateTime": "1852-11-27",
        "telecom": [{"system": "email", "value": "ada@example.com"}],
        "address": [{"city": "London", "country": "UK"}],
        "generalPractitioner": [{"reference": "Practitioner/d1"}],
        "managingOrganization": {"reference": "Organization/o1"},
    },
    {
        "resourceType": "Patient",
        "id": "p2",
        "meta": {"lastUpdated": "2024-06-01T12:00:00.000Z"},
        "identifier": [{"value": "123"}],
        "name": [{"family": "Hopper", "given": ["Grace", "Brewster"]}],
        "gender": "female",
        "birthDate": "1906-12-09",
        "deceasedBoolean": False,
        "active": True,
        "telecom": [{"system": "phone", "value": "555"}, {"system": "email", "value": "g@x.org"}],
    },
    {
        "resourceType": "Patient",
        "id": "p3",
        "meta": {"lastUpdated": "2025-01-01T00:00:00.000Z"},
        "name": [{"family": "Turing", "given": ["Alan"], "text": "Alan Turing"}],
        "gender": "male",
        "birthDate": "1912",
        "active": False,
    },
    {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "category": [{"coding": [{"system": "cat", "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2024-01-01T10:00:00Z",
        "valueQuantity": {"value": 72, "unit": "/min"},
    },
    {
        "resourceType": "Observation",
        "id": "o2",
        "status": "amended",
        "code": {"coding": [{"system": LOINC, "code": "29463-7"}], "text": "Body weight"},
        "subject": {"reference": "Group/g1"},
        "effectivePeriod": {"start": "2024-02-01", "end": "2024-02-10"},
        "valueString": "heavy",
        "performer": [{"reference": "Practitioner/d1"}],
    },
    {
        "resourceType": "Observation",
        "id": "o3",
        "status": "final",
        "code": {"coding": [{"system": "http://other", "code": "8867-4"}]},
        "subject": {"reference": "Patient/p2"},
        "encounter": {"reference": "Encounter/e1"},
        "effectiveDateTime": "2024-03-05",
    },
    {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://v3", "code": "AMB"},
        "subject": {"reference": "Patient/p2"},
        "period": {"start": "2024-03-05T09:00:00Z", "end": "2024-03-05T10:00:00Z"},
        "participant": [{"individual": {"reference": "Practitioner/d1"}}],
    },
    {
        "resourceType": "Task",
        "id": "t1",
        "status": "requested",
        "intent": "order",
        "for": {"reference": "Patient/p1"},
        "authoredOn": "2024-05-05T08:00:00Z",
        "code": {"text": "call back"},
        "owner": {"reference": "Practitioner/d1"},
    },
]

SEARCHES = [
    # tokens
    "Patient?gender=female",
    "Patient?gender=male,female",
    "Patient?gender:not=female",
    "Patient?identifier=123",
    "Patient?identifier=http://mrn|123",
    "Patient?identifier=|123",
    "Patient?identifier=http://mrn|",
    "Patient?active=true",
    "Patient?active=false",
    "Patient?email=ada@example.com",
    "Patient?email=555",
    "Patient?phone=555",
    "Patient?telecom=555",
    "Patient?deceased=true",
    "Patient?_tag=vip",
    "Patient?_tag=t|vip",
    "Patient?_id=p2",
    "Patient?_id=p2,p3",
    "Observation?code=8867-4",
    "Observation?code=http://loinc.org|8867-4",
    "Observation?code=http://other|",
    "Observation?code:not=http://loinc.org|8867-4",
    "Observation?status=final",
    "Observation?category=vital-signs",
    "Encounter?class=AMB",
    "Encounter?class=http://v3|AMB",
    "Task?status=requested",
    "Task?intent=order",
    # strings (core: contains)
    "Patient?name:contains=ada",
    "Patient?name:contains=ALAN",
    "Patient?given:contains=brew",
    "Patient?family:contains=ove",
    "Patient?address-city:contains=lond",
    "Patient?address:contains=uk",
    "Observation?value-string:contains=heav",
    # references
    "Observation?subject=Patient/p1",
    "Observation?subject=Group/g1",
    "Observation?patient=Patient/p1",
    "Observation?patient=Group/g1",
    "Observation?subject=Patient/p1,Patient/p2",
    "Observation?subject:not=Patient/p1",
    "Observation?performer=Practitioner/d1",
    "Observation?encounter=Encounter/e1",
    "Encounter?patient=Patient/p2",
    "Encounter?practitioner=Practitioner/d1",
    "Encounter?participant=Practitioner/d1",
    "Patient?general-practitioner=Practitioner/d1",
    "Patient?organization=Organization/o1",
    "Task?patient=Patient/p1",
    "Task?subject=Patient/p1",
    "Task?owner=Practitioner/d1",
    # dates
    "Patient?birthdate=1815",
    "Patient?birthdate=1906-12",
    "Patient?birthdate=lt1900",
    "Patient?birthdate=gt1900",
    "Patient?birthdate=ge1912-06-01",
    "Patient?birthdate=le1906-12-09",
    "Patient?birthdate=sa1906-12-09",
    "Patient?birthdate=eb1906-12-09",
    "Patient?birthdate=ne1912",
    "Patient?birthdate=ap1912",
    "Patient?death-date=1852",
    "Patient?_lastUpdated=gt2024-03-01",
    "Patient?_lastUpdated=lt2024-06-01T12:00:00.000Z",
    "Patient?_lastUpdated=2024",
    "Observation?date=2024-01-01",
    "Observation?date=2024-02-05",
    "Observation?date=ge2024-02-10",
    "Observation?date=gt2024-02-09",
    "Observation?date=lt2024-02-01",
    "Observation?date=le2024-02-01",
    "Observation?date=sa2024-02-10",
    "Observation?date=eb2024-03-01",
    "Encounter?date=2024-03-05",
    "Encounter?date=gt2024-03-05T09:30:00Z",
    "Task?authored-on=2024-05",
    # missing
    "Patient?active:missing=true",
    "Patient?active:missing=false",
    "Patient?deceased:missing=true",
    "Observation?encounter:missing=true",
    "Observation?value-string:missing=false",
    "Patient?birthdate:missing=false",
    # AND of repeated parameters
    "Patient?gender=female&active=true",
    "Observation?status=final&code=8867-4&date=ge2024-02-01",
]


def _medplum_matches(searches: list[str]) -> list[Any]:
    require_node_modules()
    done = subprocess.run(
        ["node", str(ORACLE)],
        input=json.dumps({"resources": RESOURCES, "searches": searches}).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"Medplum search oracle failed: {done.stderr.decode(errors='replace')}")
    results: list[Any] = json.loads(done.stdout)
    assert len(results) == len(searches)
    return results


class _Store:
    def current(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in RESOURCES if r["resourceType"] == resource_type]

    def get(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        return next((r for r in self.current(resource_type) if r["id"] == resource_id), None)


def _our_matches(search: str) -> list[int]:
    resource_type, _, query = search.partition("?")
    parsed = parse_search(resource_type, parse_qsl(query, keep_blank_values=True))
    found = {id(r) for r in parsed.filter(_Store().current(resource_type), _Store())}
    return [i for i, r in enumerate(RESOURCES) if id(r) in found]


def test_search_matches_medplums_own_matcher() -> None:
    theirs = _medplum_matches(SEARCHES)
    disagreements = []
    for search, expected in zip(SEARCHES, theirs, strict=True):
        assert not isinstance(expected, dict), f"{search}: oracle error {expected}"
        ours = _our_matches(search)
        if ours != expected:
            disagreements.append(f"{search}: Medplum {expected}, ours {ours}")
    assert not disagreements, "\n".join(disagreements)
    # The cases mean something: most searches match some resources and not all.
    assert sum(1 for e in theirs if len(e) > 0) > len(SEARCHES) * 0.7
