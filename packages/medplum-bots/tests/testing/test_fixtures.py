"""The fixture set: valid for Medplum (ours and @medplum/core's validator), loadable, and what
docs/testing.md promises."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from medplum_bots import InMemoryMedplum
from medplum_bots.testing.fixtures import (
    UnknownFixtureSetError,
    fixture_resources,
    key_of,
    load_fixtures,
)
from medplum_bots.testing.validation import validate_resource
from tests.fhir.oracle import medplum_validate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "reference" and isinstance(v, str)]
        return found + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def test_every_resource_is_valid_for_medplum() -> None:
    resources = fixture_resources()
    ours = {key_of(r): [i.text for i in validate_resource(r)] for r in resources}
    assert ours == {key_of(r): [] for r in resources}
    theirs = medplum_validate(resources)
    assert [(key_of(r), t) for r, t in zip(resources, theirs, strict=True)] == [
        (key_of(r), {"ok": True, "issues": []}) for r in resources
    ]


def test_references_point_inside_the_set_and_backwards() -> None:
    """Loading into a server creates the resources in file order and rewrites references to
    the ids already given, so each may only refer to one before it."""
    seen: set[str] = set()
    for resource in fixture_resources():
        for reference in references(resource):
            assert reference in seen, f"{key_of(resource)} refers to {reference} before it"
        seen.add(key_of(resource))


def test_loaded_in_memory_with_stable_ids() -> None:
    memory = InMemoryMedplum()
    simpsons = memory.load_fixtures()
    medplum = memory.client()

    assert len(simpsons) == len(fixture_resources())
    assert simpsons.id("Patient/homer-simpson") == "homer-simpson"
    homer = medplum.read_resource("Patient", "homer-simpson")
    assert homer["meta"]["versionId"] == "1"
    assert homer == simpsons["Patient/homer-simpson"]
    by_mrn = medplum.search_resources(
        "Patient", {"identifier": "https://springfield-general.example/fhir/mrn|SGH-0003"}
    )
    assert [p["id"] for p in by_mrn] == ["bart-simpson"]
    labs = medplum.search_resources(
        "Observation", {"subject": "Patient/homer-simpson", "category": "laboratory"}
    )
    assert len(labs) == 4
    assert [r["id"] for r in medplum.search_resources("DiagnosticReport", {"status": "final"})] == [
        "homer-lipid-panel"
    ]


def test_loaded_through_a_client_with_the_servers_ids() -> None:
    memory = InMemoryMedplum()
    simpsons = load_fixtures(memory.client())

    homer_id = simpsons.id("Patient/homer-simpson")
    assert homer_id != "homer-simpson"
    group = simpsons["Group/simpson-family"]
    assert {"reference": f"Patient/{homer_id}", "display": "Homer Simpson"} in [
        m["entity"] for m in group["member"]
    ]
    assert simpsons.reference("Patient/homer-simpson") == {"reference": f"Patient/{homer_id}"}
    assert memory.all("Patient")[0]["id"] == homer_id


def test_unknown_names_are_one_clear_error() -> None:
    with pytest.raises(UnknownFixtureSetError, match=r"unknown fixture set 'flanders' \("):
        load_fixtures(InMemoryMedplum(), "flanders")
    simpsons = load_fixtures(InMemoryMedplum())
    with pytest.raises(KeyError, match="'Patient/ned-flanders' is not in fixture set"):
        simpsons["Patient/ned-flanders"]


def test_docs_list_every_resource() -> None:
    """docs/testing.md's table names every key of the set (and nothing else)."""
    listed = set(re.findall(r"`([A-Z][A-Za-z]+/[a-z0-9-]+)`", DOCS.read_text()))
    assert listed == {key_of(r) for r in fixture_resources()}


def test_the_set_serves_the_clients_operations() -> None:
    """The value set expands and Homer's record is whole, as tests of bots calling them need."""
    memory = InMemoryMedplum()
    memory.load_fixtures()
    medplum = memory.client()

    expansion = medplum.value_set_expand(
        {"url": "https://springfield-general.example/fhir/ValueSet/smoking-status"}
    )
    assert [c["code"] for c in expansion["expansion"]["contains"]] == [
        "266919005",
        "8517006",
        "77176002",
    ]
    everything = medplum.read_patient_everything("homer-simpson")
    found = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in everything["entry"]}
    assert {
        "Patient/homer-simpson",
        "DiagnosticReport/homer-lipid-panel",
        "Observation/homer-ldl",
        "Appointment/homer-follow-up",
    } <= found
    assert not any(key.startswith("Patient/") and key != "Patient/homer-simpson" for key in found)
