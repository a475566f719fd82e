"""How the in-memory Medplum searches and versions resources (read these as documentation).

`InMemoryMedplum().client()` is a real `MedplumClient` whose HTTP calls are answered by a
FHIR server in memory, so bot tests run offline with the same calls they make on Medplum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from medplum_bots import InMemoryMedplum, MedplumClient, OperationOutcomeError

MRN = "http://hospital.example/mrn"


@pytest.fixture
def medplum() -> MedplumClient:
    return InMemoryMedplum().client()


def patient(family: str, given: str, birth_date: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "name": [{"family": family, "given": [given]}],
        "birthDate": birth_date,
        **extra,
    }


def families(resources: Sequence[Mapping[str, Any]]) -> list[str]:
    return [r["name"][0]["family"] for r in resources]


def test_string_search_is_a_case_insensitive_prefix(medplum: MedplumClient) -> None:
    for family in ("Smith", "Smithers", "Blacksmith"):
        medplum.create_resource(patient(family, "Al", "1980-01-01"))

    assert families(medplum.search_resources("Patient", {"family": "smi"})) == ["Smith", "Smithers"]
    assert families(medplum.search_resources("Patient", {"family:exact": "Smith"})) == ["Smith"]
    assert len(medplum.search_resources("Patient", {"family:contains": "SMITH"})) == 3
    # `name` matches any part of the name: family, given, prefix...
    assert len(medplum.search_resources("Patient", {"name": "al"})) == 3


def test_token_search_with_and_without_a_system(medplum: MedplumClient) -> None:
    medplum.create_resource(
        patient("Hospital", "A", "1980-01-01", identifier=[{"system": MRN, "value": "123"}])
    )
    medplum.create_resource(patient("Nosystem", "B", "1980-01-01", identifier=[{"value": "123"}]))

    assert families(medplum.search_resources("Patient", {"identifier": f"{MRN}|123"})) == [
        "Hospital"
    ]
    assert families(medplum.search_resources("Patient", {"identifier": "|123"})) == ["Nosystem"]
    assert len(medplum.search_resources("Patient", {"identifier": "123"})) == 2
    assert families(medplum.search_resources("Patient", {"identifier": f"{MRN}|"})) == ["Hospital"]


def test_comma_means_or_and_a_repeated_parameter_means_and(medplum: MedplumClient) -> None:
    medplum.create_resource(patient("Ng", "Ann", "1980-01-01", gender="female"))
    medplum.create_resource(patient("Ng", "Bob", "1980-01-01", gender="male"))
    medplum.create_resource(patient("Ng", "Cy", "1980-01-01", gender="other"))

    either = medplum.search_resources("Patient", {"gender": "female,male"})
    assert len(either) == 2
    # A list value repeats the parameter: both conditions must hold.
    both = medplum.search_resources("Patient", {"given": ["a", "an"]})
    assert [p["name"][0]["given"] for p in both] == [["Ann"]]


def test_reference_search_takes_type_and_id_or_just_the_id(medplum: MedplumClient) -> None:
    ada = medplum.create_resource(patient("Lovelace", "Ada", "1815-12-10"))
    other = medplum.create_resource(patient("Other", "Bo", "1990-01-01"))
    for subject in (ada, ada, other):
        medplum.create_resource(
            {
                "resourceType": "Observation",
                "status": "final",
                "code": {"text": "heart rate"},
                "subject": {"reference": f"Patient/{subject['id']}"},
            }
        )

    assert len(medplum.search_resources("Observation", {"subject": f"Patient/{ada['id']}"})) == 2
    assert len(medplum.search_resources("Observation", {"patient": ada["id"]})) == 2


def test_date_prefixes_and_partial_dates(medplum: MedplumClient) -> None:
    for family, birth_date in (
        ("Old", "1950-03-01"),
        ("Mid", "1990-06-15"),
        ("Young", "2010-01-01"),
    ):
        medplum.create_resource(patient(family, "X", birth_date))

    def born(query: str) -> list[str]:
        return families(medplum.search_resources("Patient", {"birthdate": query}))

    assert born("1990") == ["Mid"]  # a year means the whole year
    assert born("1990-06") == ["Mid"]
    assert born("lt1990") == ["Old"]
    assert born("ge1990-06-15") == ["Mid", "Young"]
    assert born("gt1990-06-15") == ["Young"]
    assert families(
        medplum.search_resources("Patient", [("birthdate", "gt1960"), ("birthdate", "lt2000")])
    ) == ["Mid"]


def test_sort_count_and_paging(medplum: MedplumClient) -> None:
    for index, family in enumerate(["Cole", "Avery", "Baker", "Avery"]):
        medplum.create_resource(patient(family, f"G{index}", f"200{index}-01-01"))

    ordered = medplum.search_resources("Patient", {"_sort": "family,-birthdate"})
    assert [(p["name"][0]["family"], p["birthDate"][:4]) for p in ordered] == [
        ("Avery", "2003"),
        ("Avery", "2001"),
        ("Baker", "2002"),
        ("Cole", "2000"),
    ]
    pages = list(medplum.search_resource_pages("Patient", {"_sort": "family", "_count": 3}))
    assert [len(page) for page in pages] == [3, 1]  # pages follow the Bundle's `next` link


def test_total_is_given_when_asked(medplum: MedplumClient) -> None:
    for index in range(3):
        medplum.create_resource(patient("Same", f"G{index}", "2000-01-01"))

    bundle = medplum.search("Patient", {"_count": 1, "_total": "accurate"})
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 3
    assert len(bundle["entry"]) == 1
    assert "total" not in medplum.search("Patient", {"_count": 1})


def test_an_unknown_parameter_is_an_error_not_a_match_all(medplum: MedplumClient) -> None:
    medplum.create_resource(patient("Kept", "A", "2000-01-01"))

    with pytest.raises(OperationOutcomeError) as caught:
        medplum.search("Patient", {"familyname": "kept"})

    assert caught.value.status == 400
    assert "Unknown search parameter: familyname" in str(caught.value)  # Medplum's words


def test_tags_and_last_updated(medplum: MedplumClient) -> None:
    tag = {"system": "http://example.org/tags", "code": "vip"}
    medplum.create_resource(patient("Tagged", "A", "2000-01-01", meta={"tag": [tag]}))
    medplum.create_resource(patient("Plain", "B", "2000-01-01"))
    today = datetime.now(UTC).date()

    assert families(medplum.search_resources("Patient", {"_tag": "vip"})) == ["Tagged"]
    recent = medplum.search_resources("Patient", {"_lastUpdated": f"ge{today - timedelta(days=1)}"})
    assert len(recent) == 2
    assert medplum.search_resources("Patient", {"_lastUpdated": f"lt{today}"}) == []


def test_update_makes_a_new_version_and_history_keeps_the_old(medplum: MedplumClient) -> None:
    created = medplum.create_resource(patient("Before", "A", "2000-01-01"))
    updated = medplum.update_resource({**created, "name": [{"family": "After"}]})

    assert (created["meta"]["versionId"], updated["meta"]["versionId"]) == ("1", "2")
    first = medplum.read_version("Patient", created["id"], "1")
    assert first["name"][0]["family"] == "Before"
    history = medplum.read_history("Patient", created["id"])
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]


def test_patch_then_delete(medplum: MedplumClient) -> None:
    created = medplum.create_resource(patient("Patched", "A", "2000-01-01"))
    patched = medplum.patch_resource(
        "Patient", created["id"], [{"op": "add", "path": "/active", "value": True}]
    )
    assert patched["active"] is True

    medplum.delete_resource("Patient", created["id"])

    with pytest.raises(OperationOutcomeError) as caught:
        medplum.read_resource("Patient", created["id"])
    assert caught.value.status == 410
    assert medplum.search_resources("Patient") == []


def test_conditional_create_returns_the_existing_resource(medplum: MedplumClient) -> None:
    ident = {"system": MRN, "value": "42"}
    first = medplum.create_resource_if_none_exist(
        patient("Once", "A", "2000-01-01", identifier=[ident]), {"identifier": f"{MRN}|42"}
    )
    second = medplum.create_resource_if_none_exist(
        patient("Twice", "B", "2000-01-01", identifier=[ident]), {"identifier": f"{MRN}|42"}
    )

    assert second["id"] == first["id"]
    assert families(medplum.search_resources("Patient")) == ["Once"]
