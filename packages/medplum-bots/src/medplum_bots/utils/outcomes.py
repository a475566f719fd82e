"""Errors as text and OperationOutcomes as answers: `normalize_error_string` and friends
(@medplum/core's outcomes.ts)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from medplum_bots.errors import OperationOutcomeError, issue_text, outcome_text

_STATUS_BY_ID = {
    "ok": 200, "created": 201, "accepted": 202, "found": 302, "not-modified": 304,
    "unauthorized": 401, "forbidden": 403, "not-found": 404, "conflict": 409, "gone": 410,
    "precondition-failed": 412, "multiple-matches": 412, "business-rule": 422,
    "too-many-requests": 429, "server-timeout": 504,
}  # fmt: skip


def is_operation_outcome(value: Any) -> bool:
    """True for a dict whose resourceType is OperationOutcome."""
    return isinstance(value, Mapping) and value.get("resourceType") == "OperationOutcome"


def operation_outcome_issue_to_string(issue: Mapping[str, Any]) -> str:
    """`details.text (diagnostics) (expression, ...)`, as core words an issue."""
    return issue_text(dict(issue))


def operation_outcome_to_string(outcome: Mapping[str, Any]) -> str:
    """Every issue's text, joined by `; `; "Unknown error" for none."""
    return outcome_text(dict(outcome))


def normalize_error_string(error: Any) -> str:
    """Text for anything a bot caught: a string as is, an OperationOutcomeError or outcome
    as its issues' text, an exception as its message, an object's `code`, else JSON."""
    if not error:
        return "Unknown error"
    if isinstance(error, str):
        return error
    if isinstance(error, OperationOutcomeError):
        return operation_outcome_to_string(error.outcome)
    if isinstance(error, BaseException):
        return str(error)
    if is_operation_outcome(error):
        return operation_outcome_to_string(error)
    if isinstance(error, Mapping) and isinstance(error.get("code"), str):
        return str(error["code"])
    return json.dumps(error, separators=(",", ":"), ensure_ascii=False)


def get_status(outcome: Mapping[str, Any]) -> int:
    """The HTTP status an outcome stands for (by its id; 500 for an `exception`, else 400)."""
    status = _STATUS_BY_ID.get(str(outcome.get("id")))
    if status is not None:
        return status
    issues = outcome.get("issue") or ()
    return 500 if issues and issues[0].get("code") == "exception" else 400
