"""OperationOutcome answers shaped like Medplum's (`@medplum/core` outcomes).

Errors are the in-memory engine's `FhirError` (status, issue code, text), so the stand-in's
own routes and the FHIR REST it hands to the engine fail the same way.
"""

from __future__ import annotations

from typing import Any

from medplum_bots.errors import outcome
from medplum_bots.testing.inmemory import FhirError

ALL_OK = {**outcome("information", "informational", "All OK"), "id": "allok"}


def bad_request(text: str) -> FhirError:
    """400 `invalid`."""
    return FhirError(400, "invalid", text)


def unauthorized() -> FhirError:
    """401 `login`."""
    return FhirError(401, "login", "Unauthorized")


def forbidden() -> FhirError:
    """403 `forbidden`."""
    return FhirError(403, "forbidden", "Forbidden")


def not_found() -> FhirError:
    """404 `not-found`."""
    return FhirError(404, "not-found", "Not found")


def fault_outcome(status: int) -> dict[str, Any]:
    """Default body of an injected fault."""
    code = "throttled" if status == 429 else "transient" if status >= 500 else "processing"
    return outcome("error", code, f"Injected fault ({status})")
