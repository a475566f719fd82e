"""OperationOutcome bodies shaped like Medplum's (`@medplum/core` outcomes)."""

from __future__ import annotations

from typing import Any


def outcome(severity: str, code: str, text: str, id: str | None = None) -> dict[str, Any]:
    """One-issue OperationOutcome."""
    body: dict[str, Any] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "details": {"text": text}}],
    }
    if id:
        body["id"] = id
    return body


ALL_OK = outcome("information", "informational", "All OK", "allok")


class ApiError(Exception):
    """An error answered as an OperationOutcome with an HTTP status."""

    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.body = outcome("error", code, text)


def bad_request(text: str) -> ApiError:
    """400 `invalid`."""
    return ApiError(400, "invalid", text)


def unauthorized() -> ApiError:
    """401 `login`."""
    return ApiError(401, "login", "Unauthorized")


def forbidden() -> ApiError:
    """403 `forbidden`."""
    return ApiError(403, "forbidden", "Forbidden")


def not_found() -> ApiError:
    """404 `not-found`."""
    return ApiError(404, "not-found", "Not found")


def fault_outcome(status: int) -> dict[str, Any]:
    """Default body of an injected fault."""
    code = "throttled" if status == 429 else "transient" if status >= 500 else "processing"
    return outcome("error", code, f"Injected fault ({status})")
