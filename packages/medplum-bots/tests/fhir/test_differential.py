"""Differential test: our validator against Medplum's own (``validateResource``).

Every case of ``cases.CASES`` goes through both; they must agree on valid/invalid and on the
issues (severity, code, path and message). ``KNOWN_DIFFERENCES`` lists where they differ by
design; those cases must still differ, so a change on Medplum's side is noticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from medplum_bots.testing.validation import (
    Issue,
    ResourceValidationError,
    assert_valid_resource,
    validate_resource,
)
from tests.fhir.cases import CASES
from tests.fhir.oracle import medplum_validate

IssueKey = tuple[str, str, str | None, str]

KNOWN_DIFFERENCES: dict[str, str] = {
    "datatype name as resourceType": (
        "@medplum/core validates any type named by resourceType, a datatype too; the server "
        "refuses non-resource types before validating, and so do we"
    ),
    "datatype name as contained resourceType": (
        "as above, for a contained resource: Medplum's validator accepts a HumanName there"
    ),
}

# Cases that trip a FHIRPath invariant we do not evaluate: Medplum reports exactly these
# invariant issues more than we do, and nothing else differs.
UNCHECKED_INVARIANTS: dict[str, set[str]] = {
    "invalid Bundle entry property": {"bdl-5"},
    "invariant obs-6: dataAbsentReason with a value": {"obs-6"},
    "invariant bdl-3: transaction entry without request": {"bdl-3"},
}


def _ours(resource: Any) -> set[IssueKey]:
    return {(i.severity, i.code, i.expression, i.text) for i in validate_resource(resource)}


def _theirs(result: dict[str, Any]) -> set[IssueKey]:
    return {
        (i["severity"], i["code"], (i.get("expression") or [None])[0], i["details"]["text"])
        for i in result.get("issues", [])
    }


def _valid(issues: Iterable[IssueKey]) -> bool:
    return not any(severity == "error" for severity, *_ in issues)


@pytest.fixture(scope="module")
def medplum_results() -> dict[str, dict[str, Any]]:
    names = [name for name, _ in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    return dict(zip(names, medplum_validate([r for _, r in CASES]), strict=True))


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_agrees_with_medplum(name: str, medplum_results: dict[str, dict[str, Any]]) -> None:
    resource = dict(CASES)[name]
    result = medplum_results[name]
    assert "crash" not in result, f"Medplum's validator crashed: {result['crash']}"
    ours, theirs = _ours(resource), _theirs(result)
    if name in KNOWN_DIFFERENCES:
        assert ours != theirs, f"no longer differs: {KNOWN_DIFFERENCES[name]}"
        return
    if name in UNCHECKED_INVARIANTS:
        extra = theirs - ours
        assert ours <= theirs
        keys = {text.split(" ")[1] for _, code, _, text in extra if code == "invariant"}
        assert keys == UNCHECKED_INVARIANTS[name] and len(keys) == len(extra)
        return
    assert _valid(ours) == result["ok"]
    assert ours == theirs


def test_cases_cover_valid_and_invalid(medplum_results: dict[str, dict[str, Any]]) -> None:
    oks = [r.get("ok") for r in medplum_results.values()]
    assert oks.count(True) >= 20 and oks.count(False) >= 60


def test_assert_valid_resource_raises_with_outcome() -> None:
    with pytest.raises(ResourceValidationError) as info:
        assert_valid_resource({"resourceType": "Patient", "nmae": []})
    outcome = info.value.outcome
    assert outcome == {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "structure",
                "details": {"text": 'Invalid additional property "nmae"'},
                "expression": ["Patient.nmae"],
            }
        ],
    }
    assert 'Invalid additional property "nmae" at Patient.nmae' in str(info.value)


def test_assert_valid_resource_returns_warnings() -> None:
    warnings = assert_valid_resource(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "x"},
            "valueString": "a",
            "valueBoolean": True,
        }
    )
    assert [w.severity for w in warnings] == ["warning"]
    assert isinstance(warnings[0], Issue)
