"""Search features of the in-memory Medplum, driven by Medplum's SearchParameter definitions.

Each test is one feature, through the real client over the in-memory transport.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import pytest

from medplum_bots import InMemoryMedplum, MedplumClient, OperationOutcomeError
from medplum_bots.testing.search import parse_search
from medplum_bots.testing.search_parameters import parameters_for

if TYPE_CHECKING:
    from medplum_bots.fhir import ResourceType

LOINC = "http://loinc.org"
MRN = "http://hospital.example/mrn"


@pytest.fixture
def medplum() -> MedplumClient:
    return InMemoryMedplum().client()


def ids(resources: Sequence[Mapping[str, Any]]) -> set[str]:
    return {r["id"] for r in resources}


def make_patient(medplum: MedplumClient, family: str, **extra: Any) -> dict[str, Any]:
    return medplum.create_resource(
        {"resourceType": "Patient", "name": [{"family": family}], **extra}
    )


def make_observation(medplum: MedplumClient, **extra: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
        **extra,
    }
    return medplum.create_resource(resource)


def count(medplum: MedplumClient, kind: ResourceType, query: Any) -> int:
    return len(medplum.search_resources(kind, query))


def test_every_parameter_of_every_resource_type_parses_and_runs() -> None:
    """Each of Medplum's parameters is known; evaluating it on a resource does not fail."""
    server = InMemoryMedplum()
    medplum = server.client()
    medplum.create_resource({"resourceType": "Patient", "name": [{"family": "X"}]})
    samples = {"date": "ge2000", "number": "1", "quantity": "1", "reference": "Patient/1"}
    refused = []
    checked = 0
    for kind in sorted({"Patient", "Observation", "Encounter", "Task", "Bot", "Questionnaire"}):
        for code, param in parameters_for(kind).items():
            value = samples.get(param.type, "x")
            if param.type == "composite":
                value = "x$y"
            if param.unsupported or code == "_compartment":
                refused.append(code)
                continue
            parse_search(kind, [(code, value)])
            medplum.search(cast("ResourceType", kind), {code: value})
            checked += 1
    assert checked > 150
    assert set(refused) <= {"_compartment", "_text", "_content", "_query", "near"}


def test_all_resource_types_have_their_parameters() -> None:
    assert "deceased" in parameters_for("Patient")
    assert "general-practitioner" in parameters_for("Patient")
    assert parameters_for("Binary") == {}
    assert {"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source"} <= set(
        parameters_for("Bot")
    )


def test_string_exact_contains_and_prefix(medplum: MedplumClient) -> None:
    for family in ("Smith", "Smithers", "Blacksmith"):
        make_patient(medplum, family)
    assert count(medplum, "Patient", {"family": "smi"}) == 2
    assert count(medplum, "Patient", {"family:exact": "Smith"}) == 1
    assert count(medplum, "Patient", {"family:exact": "smith"}) == 0
    assert count(medplum, "Patient", {"family:contains": "MITH"}) == 3
    assert count(medplum, "Patient", {"family": "smithers,black"}) == 2  # comma: OR


def test_token_modifiers_not_text_and_missing(medplum: MedplumClient) -> None:
    make_observation(medplum)
    make_observation(medplum, code={"text": "Body weight"})
    assert count(medplum, "Observation", {"code": f"{LOINC}|8867-4"}) == 1
    assert count(medplum, "Observation", {"code": f"{LOINC}|"}) == 1
    assert count(medplum, "Observation", {"code": "|8867-4"}) == 0  # it has a system
    assert count(medplum, "Observation", {"code:not": f"{LOINC}|8867-4"}) == 1
    assert count(medplum, "Observation", {"code:text": "weight"}) == 1
    assert count(medplum, "Observation", {"code": "Body weight"}) == 1  # a text is a token too
    assert count(medplum, "Observation", {"subject:missing": "true"}) == 2
    assert count(medplum, "Observation", {"subject:missing": "false"}) == 0


def test_boolean_and_expression_parameters(medplum: MedplumClient) -> None:
    make_patient(medplum, "Alive", deceasedBoolean=False, active=True)
    make_patient(medplum, "Dead", deceasedDateTime="2020-01-01")
    make_patient(medplum, "Unknown")
    assert count(medplum, "Patient", {"deceased": "true"}) == 1
    assert count(medplum, "Patient", {"death-date": "2020"}) == 1
    assert count(medplum, "Patient", {"active": "true"}) == 1
    assert count(medplum, "Patient", {"active:missing": "true"}) == 2


def test_telecom_where_clauses(medplum: MedplumClient) -> None:
    make_patient(medplum, "A", telecom=[{"system": "email", "value": "a@example.com"}])
    make_patient(medplum, "B", telecom=[{"system": "phone", "value": "a@example.com"}])
    assert count(medplum, "Patient", {"email": "a@example.com"}) == 1
    assert count(medplum, "Patient", {"phone": "a@example.com"}) == 1
    assert count(medplum, "Patient", {"telecom": "a@example.com"}) == 2


def test_reference_forms_like_medplums_server(medplum: MedplumClient) -> None:
    ada = make_patient(medplum, "Ada")
    group = medplum.create_resource({"resourceType": "Group", "type": "person", "actual": True})
    make_observation(medplum, subject={"reference": f"Patient/{ada['id']}"})
    make_observation(medplum, subject={"reference": f"Group/{group['id']}"})
    make_observation(
        medplum, subject={"identifier": {"system": MRN, "value": "7"}, "display": "by identifier"}
    )
    assert count(medplum, "Observation", {"subject": f"Patient/{ada['id']}"}) == 1
    assert count(medplum, "Observation", {"subject": ada["id"]}) == 1  # subject: Patient/ added
    assert count(medplum, "Observation", {"patient": ada["id"]}) == 1
    assert count(medplum, "Observation", {"subject:Group": group["id"]}) == 1
    assert count(medplum, "Observation", {"patient": f"Group/{group['id']}"}) == 0  # resolve() is
    assert count(medplum, "Observation", {"subject:not": f"Patient/{ada['id']}"}) == 2
    assert count(medplum, "Observation", {"subject:identifier": f"{MRN}|7"}) == 1
    absolute = f"http://medplum.local/fhir/R4/Patient/{ada['id']}"
    assert count(medplum, "Observation", {"subject": absolute}) == 1


def test_date_prefixes_on_instants_and_periods(medplum: MedplumClient) -> None:
    make_observation(medplum, effectiveDateTime="2024-01-01T10:00:00Z")
    make_observation(medplum, effectivePeriod={"start": "2024-02-01", "end": "2024-02-10"})
    make_observation(medplum, effectiveDateTime="2024-03-05")
    date = "date"
    assert count(medplum, "Observation", {date: "2024-01"}) == 1
    assert count(medplum, "Observation", {date: "2024-02-05"}) == 1  # inside the period
    assert count(medplum, "Observation", {date: "ne2024-01"}) == 2
    assert count(medplum, "Observation", {date: "lt2024-02-01"}) == 1
    assert count(medplum, "Observation", {date: "le2024-02-01"}) == 2
    assert count(medplum, "Observation", {date: "gt2024-02-09"}) == 2
    assert count(medplum, "Observation", {date: "ge2024-02-10"}) == 2
    assert count(medplum, "Observation", {date: "sa2024-02-10"}) == 1
    assert count(medplum, "Observation", {date: "eb2024-02-01"}) == 1
    assert count(medplum, "Observation", {date: "ap2024-03-05"}) == 1
    both = [(date, "ge2024-01-15"), (date, "lt2024-03-01")]
    assert count(medplum, "Observation", both) == 1  # repeated: AND


def test_number_and_quantity_prefixes(medplum: MedplumClient) -> None:
    for value in (50, 100, 150):
        make_observation(medplum, valueQuantity={"value": value, "unit": "mg"})
    q = "value-quantity"
    assert count(medplum, "Observation", {q: "100"}) == 1
    assert count(medplum, "Observation", {q: "ne100"}) == 2
    assert count(medplum, "Observation", {q: "gt100"}) == 1
    assert count(medplum, "Observation", {q: "ge100"}) == 2
    assert count(medplum, "Observation", {q: "lt100"}) == 1
    assert count(medplum, "Observation", {q: "le100"}) == 2
    assert count(medplum, "Observation", {q: "ap95"}) == 1
    assert count(medplum, "Observation", {q: "sa120|http://unitsofmeasure.org|mg"}) == 1
    medplum.create_resource(
        {
            "resourceType": "RiskAssessment",
            "status": "final",
            "subject": {"reference": "Patient/x"},
            "prediction": [{"probabilityDecimal": 0.25}],
        }
    )
    assert count(medplum, "RiskAssessment", {"probability": "lt0.5"}) == 1
    assert count(medplum, "RiskAssessment", {"probability": "gt0.5"}) == 0


def test_uri_above_and_below(medplum: MedplumClient) -> None:
    medplum.create_resource(
        {"resourceType": "Questionnaire", "status": "active", "url": "http://example.org/q/intake"}
    )
    assert count(medplum, "Questionnaire", {"url": "http://example.org/q/intake"}) == 1
    assert count(medplum, "Questionnaire", {"url": "http://example.org/q"}) == 0
    assert count(medplum, "Questionnaire", {"url:below": "http://example.org/q"}) == 1
    assert count(medplum, "Questionnaire", {"url:above": "http://example.org/q/intake/v2"}) == 1


def test_composite_parameter(medplum: MedplumClient) -> None:
    make_observation(
        medplum,
        component=[
            {
                "code": {"coding": [{"system": LOINC, "code": "8480-6"}]},
                "valueQuantity": {"value": 120},
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "8462-4"}]},
                "valueQuantity": {"value": 80},
            },
        ],
    )
    composite = "component-code-value-quantity"
    assert count(medplum, "Observation", {composite: f"{LOINC}|8480-6$gt100"}) == 1
    # Both parts must hold on the same component.
    assert count(medplum, "Observation", {composite: f"{LOINC}|8462-4$gt100"}) == 0


def test_common_parameters(medplum: MedplumClient) -> None:
    tagged = make_patient(
        medplum,
        "Tagged",
        meta={
            "tag": [{"system": "http://example.org/tags", "code": "vip"}],
            "security": [{"code": "R"}],
            "profile": ["http://example.org/StructureDefinition/p"],
            "source": "http://example.org/source",
        },
    )
    make_patient(medplum, "Plain")
    assert ids(medplum.search_resources("Patient", {"_id": tagged["id"]})) == {tagged["id"]}
    assert count(medplum, "Patient", {"_tag": "http://example.org/tags|vip"}) == 1
    assert count(medplum, "Patient", {"_security": "R"}) == 1
    assert count(medplum, "Patient", {"_profile": "http://example.org/StructureDefinition/p"}) == 1
    assert count(medplum, "Patient", {"_source": "http://example.org/source"}) == 1
    assert count(medplum, "Patient", {"_lastUpdated": "gt2000-01-01"}) == 2


def test_forward_chains(medplum: MedplumClient) -> None:
    org = medplum.create_resource({"resourceType": "Organization", "name": "Acme Clinic"})
    doctor = medplum.create_resource(
        {"resourceType": "Practitioner", "name": [{"family": "House"}]}
    )
    ada = make_patient(
        medplum,
        "Lovelace",
        managingOrganization={"reference": f"Organization/{org['id']}"},
        generalPractitioner=[{"reference": f"Practitioner/{doctor['id']}"}],
    )
    make_patient(medplum, "Other")
    make_observation(medplum, subject={"reference": f"Patient/{ada['id']}"})
    make_observation(medplum, subject={"reference": "Patient/nobody"})

    assert count(medplum, "Observation", {"subject:Patient.name": "love"}) == 1
    assert count(medplum, "Observation", {"patient.name": "love"}) == 1  # one target: Patient
    assert count(medplum, "Patient", {"general-practitioner:Practitioner.name": "house"}) == 1
    # Two links: Observation -> Patient -> Organization.
    assert count(medplum, "Observation", {"patient.organization.name": "acme"}) == 1
    assert count(medplum, "Observation", {"patient.organization.name": "other"}) == 0
    with pytest.raises(OperationOutcomeError, match="Unable to identify next resource type"):
        medplum.search("Observation", {"subject.name": "love"})  # several targets, no type


def test_reverse_chain_has(medplum: MedplumClient) -> None:
    with_hr = make_patient(medplum, "WithHeartRate")
    make_patient(medplum, "Without")
    make_observation(medplum, subject={"reference": f"Patient/{with_hr['id']}"})

    found = medplum.search_resources("Patient", {"_has:Observation:patient:code": "8867-4"})
    assert ids(found) == {with_hr["id"]}
    with pytest.raises(OperationOutcomeError, match="does not refer to Patient"):
        medplum.search("Patient", {"_has:Observation:specimen:code": "x"})


def test_include_revinclude_and_iterate(medplum: MedplumClient) -> None:
    org = medplum.create_resource({"resourceType": "Organization", "name": "Acme"})
    ada = make_patient(
        medplum, "Ada", managingOrganization={"reference": f"Organization/{org['id']}"}
    )
    obs = make_observation(medplum, subject={"reference": f"Patient/{ada['id']}"})

    def modes(bundle: dict[str, Any]) -> list[tuple[str, str]]:
        return [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]

    included = medplum.search("Observation", {"_include": "Observation:subject"})
    assert modes(included) == [("Observation", "match"), ("Patient", "include")]
    typed = medplum.search("Observation", {"_include": "Observation:subject:Group"})
    assert modes(typed) == [("Observation", "match")]
    iterated = medplum.search(
        "Observation",
        [("_include", "Observation:subject"), ("_include:iterate", "Patient:organization")],
    )
    assert modes(iterated) == [
        ("Observation", "match"),
        ("Patient", "include"),
        ("Organization", "include"),
    ]
    reverse = medplum.search("Patient", {"_revinclude": "Observation:subject"})
    assert modes(reverse) == [("Patient", "match"), ("Observation", "include")]
    assert reverse["entry"][1]["resource"]["id"] == obs["id"]
    with pytest.raises(OperationOutcomeError, match="Invalid include parameter"):
        medplum.search("Observation", {"_include": "Observation:nonsense"})


def test_sort_on_several_keys_count_offset_and_total(medplum: MedplumClient) -> None:
    for family, birth in (("B", "2001"), ("A", "2003"), ("A", "2002"), ("C", "2000")):
        make_patient(medplum, family, birthDate=f"{birth}-01-01")
    ordered = medplum.search_resources("Patient", {"_sort": "family,-birthdate"})
    assert [(p["name"][0]["family"], p["birthDate"][:4]) for p in ordered] == [
        ("A", "2003"),
        ("A", "2002"),
        ("B", "2001"),
        ("C", "2000"),
    ]
    page = medplum.search("Patient", {"_sort": "birthdate", "_count": 2, "_offset": 1})
    assert [e["resource"]["birthDate"][:4] for e in page["entry"]] == ["2001", "2002"]
    assert {link["relation"] for link in page["link"]} == {"self", "first", "next", "previous"}
    assert "total" not in page
    assert medplum.search("Patient", {"_total": "accurate", "_count": 1})["total"] == 4
    assert medplum.search("Patient", {"_total": "estimate", "_count": 1})["total"] == 4
    assert "total" not in medplum.search("Patient", {"_total": "none"})
    assert medplum.search("Patient", {"_summary": "count"})["total"] == 4
    assert len(medplum.search("Patient", {"_count": 5000})["entry"]) == 4  # clamped to 1000


def test_summary_data_drops_the_narrative(medplum: MedplumClient) -> None:
    make_patient(medplum, "Narrated", text={"status": "generated", "div": "<div>hi</div>"})
    (found,) = medplum.search_resources("Patient", {"_summary": "data"})
    assert "text" not in found


def test_unknown_things_are_400_like_medplum(medplum: MedplumClient) -> None:
    for query, message in (
        ({"nmae": "x"}, "Unknown search parameter: nmae"),
        ({"_sort": "nmae"}, "Unknown search parameter: nmae"),
        ({"name:text": "x"}, "Unknown modifier :text for search parameter name"),
        ({"near": "1|2|3|km"}, "not supported in memory"),
    ):
        kind: ResourceType = "Location" if "near" in query else "Patient"
        with pytest.raises(OperationOutcomeError, match=message) as caught:
            medplum.search(kind, query)
        assert caught.value.status == 400
    with pytest.raises(OperationOutcomeError, match="Cannot search on Binary resource type"):
        medplum.search("Binary")
