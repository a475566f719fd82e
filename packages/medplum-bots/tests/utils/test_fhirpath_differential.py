"""`eval_fhirpath` answers as @medplum/core's `evalFhirPath` does, or refuses clearly."""

from __future__ import annotations

from typing import Any

import pytest

from medplum_bots.utils import FhirPathError, eval_fhirpath
from tests.utils.oracle import Case, medplum, ours, same

PATIENT = {
    "resourceType": "Patient",
    "id": "123",
    "active": True,
    "name": [
        {"use": "official", "given": ["Homer", "Jay"], "family": "Simpson"},
        {"use": "nickname", "given": ["Homie"]},
    ],
    "telecom": [
        {"system": "email", "value": "homer@example.com"},
        {"system": "phone", "value": "555-1234"},
        {"system": "email", "value": "homer@example.com"},
    ],
    "birthDate": "1956-05-12",
    "deceasedBoolean": False,
    "generalPractitioner": [{"reference": "Practitioner/p1"}],
    "managingOrganization": {"reference": "Organization/o1"},
}
OBSERVATION = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
    "subject": {"reference": "Patient/123"},
    "valueQuantity": {"value": 72, "unit": "/min"},
    "effectiveDateTime": "2024-01-02T03:04:05Z",
    "component": [
        {"code": {"text": "systolic"}, "valueQuantity": {"value": 120}},
        {"code": {"text": "diastolic"}, "valueQuantity": {"value": 80}},
    ],
}
INPUTS: list[Any] = [PATIENT, OBSERVATION, {"resourceType": "Patient"}]

SUPPORTED = [
    "Patient.name.given",
    "Patient.name.family",
    "name.given",
    "Patient.name[1].given",
    "Patient.name[5]",
    "Patient.name.first().given",
    "Patient.name.where(use = 'official').given",
    "Patient.name.where(use != 'official').given",
    "Patient.telecom.where(system = 'email').value",
    "Patient.telecom.value | Patient.name.given",
    "Patient.telecom.where(system='email').value | Patient.telecom.where(system='phone').value",
    "Patient.name.exists()",
    "Patient.photo.exists()",
    "Patient.photo.empty()",
    "Patient.active",
    "Patient.active.not()",
    "Patient.deceased",
    "Patient.deceased as boolean",
    "Patient.deceased.ofType(boolean)",
    "Patient.birthDate",
    "Patient.managingOrganization.resolve() is Organization",
    "Patient.generalPractitioner.where(resolve() is Practitioner)",
    "Patient.managingOrganization.resolve().resourceType",
    "Patient.active = true",
    "Patient.active = false",
    "Patient.name.given = 'Homer'",
    "Patient.birthDate = '1956-05-12'",
    "Patient.active and Patient.name.exists()",
    "Patient.active or Patient.photo.exists()",
    "Patient.photo.exists() or Patient.photo.exists()",
    "iif(Patient.active, 'yes', 'no')",
    "Observation.value",
    "Observation.value as Quantity",
    "(Observation.value as Quantity).value",
    "Observation.value.ofType(Quantity).unit",
    "Observation.effective",
    "Observation.component.where(code.text = 'systolic').value",
    "Observation.code.coding.code",
    "Observation.subject.where(resolve() is Patient)",
    "Observation.status = 'final' and Observation.code.coding.exists()",
    "Observation.component.value.value",
    "Patient",
    "Observation",
    "'literal'",
    "42",
]
REFUSED = [
    "Patient.name.count()",
    "Patient.name.given.join(', ')",
    "Patient.birthDate < today()",
    "Observation.value.value + 1",
    "%resource.id",
    "Patient.name.where($this.use = 'official')",
    "Patient.extension('http://example.org')",
    "Patient.managingOrganization.resolve()",
    "Patient.name is HumanName",
    "(Patient.name.given | Patient.name.family).first()",
    "Patient.name.given | Patient.name.family = 'x'",
]

CASES: list[Case] = [
    {"op": "call", "fn": "evalFhirPath", "args": [expression, value]}
    for expression in SUPPORTED
    for value in INPUTS
]


@pytest.fixture(scope="module")
def answers() -> list[dict[str, Any]]:
    return medplum(CASES)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_same_answer_as_medplum_core(index: int, answers: list[dict[str, Any]]) -> None:
    case = CASES[index]
    theirs, mine = answers[index], ours(case)
    assert same(theirs, mine), f"{case['args'][0]}\n@medplum/core: {theirs}\nmedplum_bots:  {mine}"


@pytest.mark.parametrize("expression", REFUSED)
def test_outside_the_subset_is_refused(expression: str) -> None:
    with pytest.raises(FhirPathError):
        eval_fhirpath(expression, PATIENT)


def test_a_list_input_is_one_collection() -> None:
    assert eval_fhirpath("name.given.first()", [PATIENT, PATIENT]) == ["Homer"]
