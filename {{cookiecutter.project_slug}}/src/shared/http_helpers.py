"""HTTP helpers for bots that talk to external systems: the seed's `http-helpers.ts` in Python.

Every bot that imports this module gets it bundled into its artifact by `invoke build`, so a
change here means redeploying those bots (`invoke build --changed origin/main` lists them).

Failures raise `OperationOutcomeError` like the rest of the bot API: code `processing` when the
external server answered with a non-2xx status, `exception` when it could not be reached.
Both a sync API (for `def handler`) and an async one (for `async def handler`) are provided.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import httpx
from medplum_bots.errors import OperationOutcomeError, outcome

FHIR_JSON = "application/fhir+json"
DEFAULT_TIMEOUT = 10.0


class HttpVerb(StrEnum):
    """HTTP methods used for external FHIR writes."""

    PUT = "PUT"  # create or update the resource
    DELETE = "DELETE"  # delete the resource


def identifier_query(system: str, value: str) -> str:
    """The search `identifier=system|value`, URL-encoded.

    The seed passed `https://medplum.com/patient-id|<id>` as the whole query, without the
    `identifier=` parameter name, so a FHIR server had no criterion to match; it is fixed here.
    """
    return urlencode({"identifier": f"{system}|{value}"})


def conditional_url(base_url: str, resource_type: str, conditional_query: str) -> str:
    """`{base_url}/{resource_type}?{conditional_query}`, with exactly one slash between."""
    if not conditional_query:
        # An empty condition would make a conditional DELETE match every resource of the type.
        raise ValueError("conditional_query must not be empty")
    return f"{base_url.rstrip('/')}/{resource_type}?{conditional_query.lstrip('?')}"


def make_external_request(
    url: str,
    method: HttpVerb,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    client: httpx.Client | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """Send one FHIR JSON request to an external server and return its decoded JSON answer.

    Returns None when the answer has no body (e.g. `204 No Content` after a DELETE). Pass
    `client` to reuse connections or to plug in a test transport.
    """
    request_headers = _headers(body, headers)
    content = _content(body)
    try:
        if client is not None:
            response = client.request(
                method.value, url, content=content, headers=request_headers, timeout=timeout
            )
        else:
            with httpx.Client(timeout=timeout) as own:
                response = own.request(method.value, url, content=content, headers=request_headers)
    except httpx.HTTPError as error:
        raise _network_error(error) from None
    return _decode(response)


async def make_external_request_async(
    url: str,
    method: HttpVerb,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    *,
    client: httpx.AsyncClient | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """The async twin of `make_external_request`."""
    request_headers = _headers(body, headers)
    content = _content(body)
    try:
        if client is not None:
            response = await client.request(
                method.value, url, content=content, headers=request_headers, timeout=timeout
            )
        else:
            async with httpx.AsyncClient(timeout=timeout) as own:
                response = await own.request(
                    method.value, url, content=content, headers=request_headers
                )
    except httpx.HTTPError as error:
        raise _network_error(error) from None
    return _decode(response)


def make_conditional_fhir_request(
    base_url: str,
    resource_type: str,
    conditional_query: str,
    method: HttpVerb,
    resource: Any = None,
    *,
    client: httpx.Client | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """A conditional update (PUT) or delete (DELETE) on an external FHIR server.

    `conditional_query` is a search string such as `identifier_query(system, value)`.
    A DELETE sends no body, whatever `resource` is.
    """
    url = conditional_url(base_url, resource_type, conditional_query)
    body = resource if method is HttpVerb.PUT else None
    return make_external_request(url, method, body, client=client, timeout=timeout)


async def make_conditional_fhir_request_async(
    base_url: str,
    resource_type: str,
    conditional_query: str,
    method: HttpVerb,
    resource: Any = None,
    *,
    client: httpx.AsyncClient | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """The async twin of `make_conditional_fhir_request`."""
    url = conditional_url(base_url, resource_type, conditional_query)
    body = resource if method is HttpVerb.PUT else None
    return await make_external_request_async(url, method, body, client=client, timeout=timeout)


def log_external_request(
    operation: str, resource_id: str, success: bool, error: str | None = None
) -> None:
    """Log one external request's outcome; the bot's AuditEvent keeps these lines."""
    print(f"External Request: {operation} for {resource_id} - {'SUCCESS' if success else 'FAILED'}")
    if error:
        print(f"Error: {error}", file=sys.stderr)


def _headers(body: Any, extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = {"Accept": FHIR_JSON}
    if body is not None:
        headers["Content-Type"] = FHIR_JSON
    headers.update(extra or {})
    return headers


def _content(body: Any) -> bytes | None:
    return None if body is None else json.dumps(body).encode("utf-8")


def _decode(response: httpx.Response) -> Any:
    if not response.is_success:
        text = f"External request failed: {response.status_code} {response.reason_phrase}"
        raise OperationOutcomeError(outcome("error", "processing", text.strip()))
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "unknown content type")
        raise OperationOutcomeError(
            outcome("error", "exception", f"External response is not JSON ({kind})")
        ) from None


def _network_error(error: httpx.HTTPError) -> OperationOutcomeError:
    # Only the exception's text: it names the failure, never request headers. Raised `from
    # None`: httpx's internal traceback would bury the bot's own lines in the AuditEvent.
    reason = str(error) or type(error).__name__
    return OperationOutcomeError(
        outcome("error", "exception", f"Network or processing error: {reason}")
    )
