"""`OperationOutcomeError` words an outcome as @medplum/core does (differential, under Node)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from medplum_bots import OperationOutcomeError
from medplum_bots.errors import outcome_text
from medplum_bots.testing import InMemoryMedplum
from tests.client.node_core import run_node

CORE_MESSAGES = """
const { OperationOutcomeError } = require('@medplum/core');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const outcomes = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  process.stdout.write(JSON.stringify(outcomes.map((o) => new OperationOutcomeError(o).message)));
});
"""


def issue(**fields: Any) -> dict[str, Any]:
    return {"severity": "error", "code": "invalid", **fields}


OUTCOMES: list[dict[str, Any]] = [
    {
        "resourceType": "OperationOutcome",
        "issue": [
            issue(
                code="structure",
                details={"text": "Missing required property"},
                expression=["DiagnosticReport.code"],
            )
        ],
    },
    {
        "resourceType": "OperationOutcome",
        "issue": [
            issue(details={"text": "Invalid additional property"}, expression=["Patient.foo"]),
            issue(
                details={"text": "Invalid JSON type"},
                diagnostics="expected string",
                expression=["Patient.name[0].family", "Patient.name"],
            ),
        ],
    },
    {"resourceType": "OperationOutcome", "issue": [issue(diagnostics="Only diagnostics")]},
    {"resourceType": "OperationOutcome", "issue": [issue()]},
    {"resourceType": "OperationOutcome", "issue": []},
    {"resourceType": "OperationOutcome"},
    {
        "resourceType": "OperationOutcome",
        "issue": [issue(details={"coding": [{"code": "x"}]}, expression=[])],
    },
    {"resourceType": "OperationOutcome", "issue": [issue(details={"text": "Not found"})]},
]


def test_messages_equal_medplum_cores() -> None:
    expected = run_node(CORE_MESSAGES, OUTCOMES)

    assert [outcome_text(o) for o in OUTCOMES] == expected
    assert [str(OperationOutcomeError(o)) for o in OUTCOMES] == expected
    # A server's answer says which status it was, then the same words.
    assert str(OperationOutcomeError(OUTCOMES[0], 400)) == f"HTTP 400: {expected[0]}"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_refused_write_names_the_element(kind: str) -> None:
    memory = InMemoryMedplum()
    report = {"resourceType": "DiagnosticReport", "status": "final"}
    with pytest.raises(OperationOutcomeError) as caught:
        if kind == "sync":
            memory.client().create_resource(report)
        else:
            asyncio.run(memory.async_client().create_resource(report))
    assert str(caught.value) == "HTTP 400: Missing required property (DiagnosticReport.code)"
    assert caught.value.outcome["issue"][0]["expression"] == ["DiagnosticReport.code"]
