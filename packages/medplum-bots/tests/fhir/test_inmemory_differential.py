"""Differential test of the in-memory Medplum's refusals against Medplum's own validator.

Every case of ``cases.CASES`` is written to ``InMemoryMedplum`` through the real client three
ways (create, update, patch of a valid resource of the same type) and validated by
``validateResource`` from ``@medplum/core``, in the form Medplum's server validates it (on
create with the id it assigns). Medplum accepts -> 201/200; Medplum refuses -> 400 whose
OperationOutcome holds Medplum's issues. Warnings never refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from medplum_bots import MedplumClient, OperationOutcomeError
from medplum_bots.testing import InMemoryMedplum
from medplum_bots.testing.validation import is_resource_type
from tests.fhir.cases import CASES
from tests.fhir.oracle import medplum_validate
from tests.fhir.test_differential import KNOWN_DIFFERENCES, UNCHECKED_INVARIANTS

IssueKey = tuple[str, str, str | None, str]
SERVER_ID = "4b9a7c2e-6f0d-4d8a-9e51-2f3c1a0b7d64"


def _typed(resource: Any) -> bool:
    return (
        isinstance(resource, dict)
        and isinstance(resource.get("resourceType"), str)
        and is_resource_type(resource["resourceType"])
    )


TYPED = [(name, r) for name, r in CASES if _typed(r)]
UNTYPED = [(name, r) for name, r in CASES if not _typed(r)]


def _server_form(resource: dict[str, Any]) -> dict[str, Any]:
    """What Medplum's server validates: the resource with the id it is stored under."""
    return {**resource, "id": SERVER_ID}


def _keys(issues: list[dict[str, Any]]) -> set[IssueKey]:
    return {
        (i["severity"], i["code"], (i.get("expression") or [None])[0], i["details"]["text"])
        for i in issues
    }


@pytest.fixture(scope="module")
def medplum() -> dict[str, dict[str, Any]]:
    results = medplum_validate([_server_form(r) for _, r in TYPED] + [r for _, r in UNTYPED])
    names = [name for name, _ in TYPED] + [name for name, _ in UNTYPED]
    return dict(zip(names, results, strict=True))


def _bases() -> dict[str, dict[str, Any]]:
    """A resource Medplum accepts for each type the cases use (named "valid ...")."""
    bases: dict[str, dict[str, Any]] = {}
    for name, resource in TYPED:
        if name.startswith("valid "):
            bases.setdefault(resource["resourceType"], resource)
    return bases


def _patch_to(current: dict[str, Any], wanted: dict[str, Any]) -> list[dict[str, Any]]:
    """JSON Patch operations turning a stored resource into `wanted` (id and type kept)."""
    ops: list[dict[str, Any]] = [
        {"op": "remove", "path": f"/{key}"}
        for key in current
        if key not in ("resourceType", "id", "meta") and key not in wanted
    ]
    ops += [
        {"op": "add", "path": f"/{key}", "value": value}
        for key, value in wanted.items()
        if key not in ("resourceType", "id")
    ]
    return ops


def _create(client: MedplumClient, resource: dict[str, Any]) -> Any:
    return client.create_resource(resource)


def _update(client: MedplumClient, resource: dict[str, Any]) -> Any:
    return client.update_resource(_server_form(resource))  # create-on-update


def _patch(client: MedplumClient, resource: dict[str, Any]) -> Any:
    base = _bases().get(resource["resourceType"])
    if base is None:
        pytest.skip(f"no valid {resource['resourceType']} case to patch")
    created = client.create_resource({k: v for k, v in base.items() if k != "id"})
    # What is stored (a create answers a Binary with a download `url` the store does not hold).
    stored = client.read_resource(created["resourceType"], created["id"])
    return client.patch_resource(stored["resourceType"], stored["id"], _patch_to(stored, resource))


WRITES: dict[str, Callable[[MedplumClient, dict[str, Any]], Any]] = {
    "create": _create,
    "update": _update,
    "patch": _patch,
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("name", [name for name, _ in TYPED])
def test_in_memory_refuses_what_medplum_refuses(
    name: str, write: str, medplum: dict[str, dict[str, Any]]
) -> None:
    resource = dict(CASES)[name]
    result = medplum[name]
    assert "crash" not in result, result
    client = InMemoryMedplum().client()
    try:
        WRITES[write](client, resource)
    except OperationOutcomeError as error:
        assert error.status == 400, error
        ours: set[IssueKey] | None = _keys(error.outcome["issue"])
    else:
        ours = None  # stored
    theirs = _keys(result.get("issues", []))
    if name in UNCHECKED_INVARIANTS:
        # Medplum also reports a FHIRPath invariant we do not evaluate (see test_differential).
        assert not result["ok"]
        assert ours is None or (
            ours < theirs and all(c == "invariant" for _, c, *_ in theirs - ours)
        )
        return
    if name in KNOWN_DIFFERENCES:
        assert result["ok"] and ours is not None, KNOWN_DIFFERENCES[name]
        return
    if result["ok"]:
        assert ours is None, f"Medplum stores it, in-memory answered 400: {ours}"
    else:
        assert ours == theirs


@pytest.mark.parametrize("name", [name for name, _ in UNTYPED])
def test_unknown_or_missing_resource_type_is_400(
    name: str, medplum: dict[str, dict[str, Any]]
) -> None:
    resource = dict(CASES)[name]
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    client = InMemoryMedplum().client()
    with pytest.raises(OperationOutcomeError) as info:
        client.post(f"fhir/R4/{kind or 'Patient'}", resource)
    assert info.value.status == 400
    if name not in KNOWN_DIFFERENCES:
        assert not medplum[name]["ok"]


def test_refusal_outcome_is_medplums_shape() -> None:
    client = InMemoryMedplum().client()
    with pytest.raises(OperationOutcomeError) as info:
        client.create_resource({"resourceType": "Patient", "nmae": [{"family": "x"}]})
    assert info.value.status == 400
    assert info.value.outcome == {
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


def test_unknown_resource_type_in_the_url_is_400_on_every_route() -> None:
    client = InMemoryMedplum().client()
    for method, path in (("GET", "Patinet"), ("GET", "Patinet/1"), ("POST", "Patinet")):
        with pytest.raises(OperationOutcomeError) as info:
            if method == "GET":
                client.get(f"fhir/R4/{path}")
            else:
                client.post(f"fhir/R4/{path}", {"resourceType": "Patinet"})
        assert info.value.status == 400
        assert info.value.outcome["issue"][0]["details"]["text"] == "Unknown resource type"


def test_nothing_is_stored_after_a_refusal() -> None:
    server = InMemoryMedplum()
    client = server.client()
    patient = client.create_resource({"resourceType": "Patient", "gender": "female"})
    with pytest.raises(OperationOutcomeError):
        client.update_resource({**patient, "birthDate": "2020-13-45"})
    with pytest.raises(OperationOutcomeError):
        client.patch_resource(
            "Patient", patient["id"], [{"op": "add", "path": "/active", "value": "yes"}]
        )
    assert server.all("Patient") == [patient]
    assert len(client.read_history("Patient", patient["id"])["entry"]) == 1


def test_validate_false_stores_what_medplum_refuses() -> None:
    client = InMemoryMedplum(validate=False).client()
    stored = client.create_resource({"resourceType": "Patient", "birthDate": "2020-13-45"})
    assert stored["birthDate"] == "2020-13-45"
