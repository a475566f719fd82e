"""@medplum/core's bot utilities and ours answer the same inputs alike (one Node process)."""

from __future__ import annotations

from typing import Any

import pytest

from medplum_bots import utils
from medplum_bots.utils.resources import EXTENSION_VALUE_TYPES
from tests.utils.oracle import Case, medplum, ours, plain, same

HOMER: dict[str, Any] = {
    "resourceType": "Patient",
    "id": "123",
    "name": [
        {"given": ["Homer", "Jay"], "family": "Simpson", "prefix": ["Mr."], "use": "official"}
    ],
    "identifier": [{"system": "http://example.org/mrn", "value": "M1"}],
    "birthDate": "1956-05-12",
}
ALICE: dict[str, Any] = {
    "resourceType": "Practitioner",
    "id": "p1",
    "name": [{"prefix": ["Dr."], "given": ["Alice"], "family": "Smith", "suffix": ["MD"]}],
}
RESOURCES: list[Any] = [
    HOMER,
    ALICE,
    {"resourceType": "Patient", "id": "x", "name": [{"text": "Only Text"}]},
    {"resourceType": "Patient", "id": "x", "name": []},
    {"resourceType": "Patient", "name": [{"given": ["No"], "family": "Id"}]},
    {"resourceType": "Patient"},
    {"resourceType": "Organization", "id": "o1", "name": "Acme"},
    {"resourceType": "Organization", "id": "o2", "name": ""},
    {"resourceType": "Device", "id": "d1", "deviceName": [{"name": "Pump", "type": "model-name"}]},
    {"resourceType": "Device", "id": "d2", "deviceName": [{"type": "model-name"}]},
    {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "medicationCodeableConcept": {"coding": [{"code": "123", "display": "Aspirin"}]},
    },
    {"resourceType": "Subscription", "id": "s1", "criteria": "Patient?name=x"},
    {"resourceType": "User", "id": "u1", "email": "a@example.com"},
    {"resourceType": "Observation", "id": "o", "code": {"text": "Glucose"}},
    {"resourceType": "Observation", "id": "o", "code": {"coding": [{"code": "1", "display": "D"}]}},
    {"resourceType": "Observation", "id": "o", "code": {"coding": [{"system": "s"}]}},
    {"resourceType": "Observation", "id": "o", "code": {"coding": []}},
    {"resourceType": "Condition", "id": "c", "code": [{"text": "array code"}]},
    {"resourceType": "Questionnaire", "id": "q", "name": "intake", "code": [{"code": "a"}]},
    {"resourceType": "Bot", "id": "b", "name": 5},
]
REFERENCES: list[Any] = [
    {"reference": "Patient/123"},
    {"reference": "Patient/123/_history/2"},
    {"reference": "Patient?identifier=x"},
    {"reference": "urn:uuid:abc"},
    {"reference": "Patient/123", "display": "Homer"},
    {"display": "no reference"},
    {"reference": 5},
]


def calls(fn: str, *arg_lists: list[Any], **extra: Any) -> list[Case]:
    return [{"op": "call", "fn": fn, "args": args, **extra} for args in arg_lists]


ANSWERS: dict[str, Any] = {
    "resourceType": "QuestionnaireResponse",
    "item": [
        {"linkId": "name", "answer": [{"valueString": "Homer"}, {"valueString": "H"}]},
        {"linkId": "empty", "answer": []},
        {"linkId": "", "answer": [{"valueString": "no id"}]},
        {
            "linkId": "group",
            "item": [
                {"linkId": "dob", "answer": [{"valueDate": "1956-05-12"}]},
                {"linkId": "name", "answer": [{"valueString": "Again"}]},
                {"linkId": "nested", "answer": [{"valueBoolean": True, "item": []}]},
            ],
        },
        {"linkId": "coded", "answer": [{"valueCoding": {"code": "y"}}]},
    ],
}
NAMES: list[Any] = [
    ALICE["name"][0],
    HOMER["name"][0],
    {"text": "Text only"},
    {"text": "Text", "given": ["Given"]},
    {},
    {"family": "Solo"},
    {"prefix": ["Dr."], "use": "usual"},
]
EXTENDED: dict[str, Any] = {
    "resourceType": "Appointment",
    "extension": [
        {
            "url": "https://medplum.com/zoom",
            "extension": [{"url": "meeting-id", "valueString": "42"}],
        },
        {"url": "flag", "valueBoolean": False},
        {"url": "two", "valueInteger": 1, "valueString": "both"},
        {"url": "quantity", "valueQuantity": {"value": 3, "unit": "mg"}},
        {"url": "none"},
        {"url": "empty-string", "valueString": ""},
    ],
}
CODED: list[dict[str, Any]] = [
    {
        "resourceType": "Observation",
        "id": "1",
        "code": {"coding": [{"system": "http://loinc.org", "code": "1-1"}]},
    },
    {
        "resourceType": "Observation",
        "id": "2",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2-2"}]},
    },
    {"resourceType": "Observation", "id": "3"},
]

CASES: list[Case] = [
    *calls("createReference", *([r] for r in RESOURCES)),
    *calls("getReferenceString", *([r] for r in RESOURCES + REFERENCES)),
    *calls("resolveId", *([r] for r in RESOURCES + REFERENCES), [None]),
    *calls("getDisplayString", *([r] for r in RESOURCES)),
    *calls(
        "isResource",
        *([r] for r in [*RESOURCES, *REFERENCES, None, "x", []]),
        [HOMER, "Patient"],
        [HOMER, "Practitioner"],
    ),
    *calls(
        "isReference",
        *([r] for r in REFERENCES),
        [REFERENCES[0], "Patient"],
        [REFERENCES[0], "Pat"],
        [REFERENCES[2], "Patient"],
    ),
    *calls("parseReference", *([r] for r in REFERENCES), [None]),
    *calls(
        "getIdentifier",
        [HOMER, "http://example.org/mrn"],
        [HOMER, "other"],
        [{"resourceType": "Patient"}, "x"],
        [{"resourceType": "Bundle", "identifier": {"system": "s", "value": "v"}}, "s"],
    ),
    *calls(
        "setIdentifier",
        [dict(HOMER), "http://example.org/mrn", "M2"],
        [dict(HOMER), "new", "N"],
        [{"resourceType": "Patient"}, "s", "v"],
        returnArgs=True,
    ),
    *calls(
        "getExtension",
        [EXTENDED, "https://medplum.com/zoom", "meeting-id"],
        [EXTENDED, "flag"],
        [EXTENDED, "missing"],
        [EXTENDED],
        [None, "x"],
        [EXTENDED, "https://medplum.com/zoom", "missing"],
    ),
    *calls(
        "getExtensionValue",
        [EXTENDED, "https://medplum.com/zoom", "meeting-id"],
        [EXTENDED, "flag"],
        [EXTENDED, "two"],
        [EXTENDED, "quantity"],
        [EXTENDED, "none"],
        [EXTENDED, "missing"],
        [EXTENDED, "empty-string"],
    ),
    *calls("getQuestionnaireAnswers", [ANSWERS], [{"resourceType": "QuestionnaireResponse"}]),
    *calls("getAllQuestionnaireAnswers", [ANSWERS], [{"resourceType": "QuestionnaireResponse"}]),
    *calls(
        "getCodeBySystem",
        [CODED[0]["code"], "http://loinc.org"],
        [CODED[0]["code"], "x"],
        [{}, "x"],
    ),
    *calls(
        "findCodeBySystem", [[{"text": "a"}, CODED[1]["code"]], "http://loinc.org"], [None, "x"]
    ),
    *calls(
        "setCodeBySystem",
        [{"coding": [{"system": "a", "code": "1"}]}, "a", "2"],
        [{}, "b", "3"],
        returnArgs=True,
    ),
    *calls(
        "findResourceByCode",
        [CODED, "2-2", "http://loinc.org"],
        [CODED, {"coding": [{"system": "http://loinc.org", "code": "1-1"}]}, "http://loinc.org"],
        [CODED, "9", "http://loinc.org"],
        [CODED, {"text": "no code"}, "http://loinc.org"],
    ),
    *calls(
        "normalizeErrorString",
        ["text"],
        [None],
        [""],
        [0],
        [
            {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "details": {"text": "Missing required property"},
                        "expression": ["DiagnosticReport.code"],
                    },
                    {"diagnostics": "diag"},
                    {},
                ],
            }
        ],
        [{"resourceType": "OperationOutcome"}],
        [{"code": "ECONNRESET"}],
        [{"code": 5, "x": [1]}],
        [[1, "a"]],
        [12],
    ),
    *calls(
        "operationOutcomeToString",
        [
            {
                "resourceType": "OperationOutcome",
                "issue": [{"details": {"text": "T"}, "diagnostics": "D", "expression": ["a", "b"]}],
            }
        ],
    ),
    *calls(
        "getStatus",
        *(
            [{"resourceType": "OperationOutcome", "id": i}]
            for i in [
                "ok",
                "created",
                "gone",
                "not-found",
                "business-rule",
                "multiple-matches",
                "other",
            ]
        ),
        [{"resourceType": "OperationOutcome", "issue": [{"code": "exception"}]}],
    ),
    *calls("isOperationOutcome", [{"resourceType": "OperationOutcome"}], [HOMER], ["x"]),
    *calls("formatHumanName", *([n] for n in NAMES), [None]),
    *calls("formatHumanName", *([n] for n in NAMES), options={"prefix": False, "suffix": False}),
    *calls("formatHumanName", *([n] for n in NAMES), options={"use": True}),
    *calls("formatHumanName", *([n] for n in NAMES), options={"all": True}),
    *calls("formatGivenName", *([n] for n in NAMES)),
    *calls("formatFamilyName", *([n] for n in NAMES)),
    *calls(
        "formatAddress",
        [
            {
                "line": ["742 Evergreen Terrace", "Apt 1"],
                "city": "Springfield",
                "state": "IL",
                "postalCode": "12345",
                "use": "home",
            }
        ],
        [{"city": "Springfield"}],
        [{}],
        [None],
        [{"line": []}],
    ),
    *calls(
        "formatAddress",
        [{"line": ["1 Main"], "city": "X", "use": "work"}],
        options={"lineSeparator": "\n", "use": True},
    ),
    *calls("formatCoding", [{"code": "c", "display": "D"}], [{"code": "c"}], [{}], [None]),
    *calls(
        "formatCoding",
        [{"code": "c", "display": "D"}],
        [{"display": "D"}],
        [{"code": "c", "display": "D"}, False],
    ),
    *calls(
        "formatCodeableConcept",
        [{"text": "T", "coding": [{"code": "c"}]}],
        [{"coding": [{"code": "a"}, {"display": "B"}]}],
        [{}],
        [None],
    ),
    *calls(
        "formatDate",
        ["2024-01-02"],
        ["2024-12-31T23:30:00Z"],
        ["2024-12-31T23:30:00-05:00"],
        [""],
        [None],
        ["not a date"],
        ["2024-02-30"],
        ["1999"],
    ),
    *calls(
        "calculateAge",
        ["1956-05-12", "2024-05-11"],
        ["1956-05-12", "2024-05-12"],
        ["2020-02-29", "2021-02-28"],
        ["2024-01-31", "2024-03-01"],
        ["2024-03-10", "2024-03-10"],
        ["2023-12-15", "2024-01-14"],
        ["2024-01-01T23:00:00Z", "2024-01-02"],
    ),
    *calls(
        "calculateAgeString",
        ["1956-05-12", "2024-05-11"],
        ["2023-01-15", "2024-01-14"],
        ["2024-01-01", "2024-01-20"],
        ["2022-05-12", "2024-05-12"],
    ),
    *calls("deepClone", [HOMER], [[1, {"a": None}]]),
    *calls("isObject", [HOMER], [[]], ["x"], [None], [1]),
    *calls(
        "parseHl7DateTime",
        *(
            [v]
            for v in [
                "20240102030405",
                "2024",
                "202401",
                "20240102",
                "2024010203",
                "20240102030405.1234",
                "20240102030405.5",
                "20240102030405+0130",
                "20240102030405-0500",
                "20240102-0500",
                "2024-01-02",
                "",
                None,
                "20240102030405-05",
                "99",
                "abcd",
                "20241332",
                "20240102030405.12+01:30",
            ]
        ),
    ),
    *calls(
        "parseHl7DateTime",
        ["20240102030405"],
        ["20240102030405+0100"],
        options={"tzOffset": "-0500"},
    ),
    *calls(
        "formatHl7DateTime",
        *(
            [v]
            for v in [
                "2024-01-02T03:04:05.000Z",
                "2024-01-02T03:04:05.007Z",
                "2024-01-02T03:04:05.120Z",
                "2024-01-02",
                "2024-01-02T03:04:05+02:00",
                "nonsense",
            ]
        ),
    ),
]


# Core's schema order of Extension.value[x] and its constants, asked in the same Node process.
CONSTANTS = ["UCUM", "LOINC", "SNOMED", "RXNORM", "CPT", "ICD10", "NDC", "HTTP_HL7_ORG"]
# EMPTY is core 5.x's (the demo bots' version), not in the 4.5.2 oracle: tested below.
CONSTANTS += ["HTTP_TERMINOLOGY_HL7_ORG", "ContentType", "allOk", "unauthorized"]
EXTRA: list[Case] = [
    {"op": "call", "fn": "getElementDefinition", "args": ["Extension", "value[x]"]},
    *({"op": "value", "name": name} for name in CONSTANTS),
]


@pytest.fixture(scope="module")
def answers() -> list[dict[str, Any]]:
    return medplum(CASES + EXTRA)


@pytest.mark.parametrize("index", range(len(CASES)))
def test_same_answer_as_medplum_core(index: int, answers: list[dict[str, Any]]) -> None:
    case = CASES[index]
    theirs, mine = answers[index], ours(case)
    assert same(theirs, mine), f"{case}\n@medplum/core: {theirs}\nmedplum_bots:  {mine}"


def test_extension_value_types_in_the_order_of_cores_schema(
    answers: list[dict[str, Any]],
) -> None:
    definition = answers[len(CASES)]["value"]
    assert tuple(t["code"] for t in definition["type"]) == EXTENSION_VALUE_TYPES


def test_constants_are_cores(answers: list[dict[str, Any]]) -> None:
    for name, answer in zip(CONSTANTS, answers[len(CASES) + 1 :], strict=True):
        value = getattr(utils, {"allOk": "all_ok"}.get(name, name))
        if name == "ContentType":
            value = {k: v for k, v in vars(value).items() if k.isupper()}
        assert {"value": plain(value)} == answer, name


def test_empty_is_an_immutable_empty_collection() -> None:
    assert list(utils.EMPTY) == []
    assert isinstance(utils.EMPTY, tuple)
