"""Batch and transaction Bundles for the in-memory Medplum: entries to requests, answers back.

`InMemoryMedplum` answers `POST fhir/R4/` with a Bundle of type `batch` (entries independent,
each answered in a `batch-response` entry) or `transaction` (all or nothing, `urn:uuid:`
references rewritten to the ids given to the new resources). Entries run one after another, in
their order, as on Medplum. An answer entry is Medplum's shape:
`{"response": {"status": "201", "location": "Patient/<id>/_history/1", "etag": "W/\\"1\\"",
"lastModified": ..., "outcome": <OperationOutcome>}, "resource": <resource>}`.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx

from medplum_bots.errors import outcome

_REASONS = {200: "All OK", 201: "Created"}


def assign_ids(entries: list[Any]) -> dict[str, str]:
    """`urn:uuid:...` full URL -> `Type/<new id>` for the creates of a transaction (not the
    conditional ones: those learn their id when they run)."""
    ids: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        full_url, request = entry.get("fullUrl"), entry.get("request") or {}
        resource = entry.get("resource")
        if (
            isinstance(full_url, str)
            and full_url.startswith("urn:uuid:")
            and isinstance(request, dict)
            and request.get("method") == "POST"
            and not request.get("ifNoneExist")
            and isinstance(resource, dict)
            and isinstance(resource.get("resourceType"), str)
        ):
            ids[full_url] = f"{resource['resourceType']}/{uuid.uuid4()}"
    return ids


def rewrite_references(value: Any, ids: dict[str, str]) -> Any:
    """A copy of `value` with every string equal to a known `urn:uuid:` replaced by its
    `Type/id` (a `fullUrl` keeps its urn, it names the entry)."""
    if not ids:
        return value
    if isinstance(value, dict):
        return {k: v if k == "fullUrl" else rewrite_references(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite_references(v, ids) for v in value]
    if isinstance(value, str):
        return ids.get(value, value)
    return value


def entry_request(entry: Any, fhir_base: str) -> tuple[httpx.Request, bytes]:
    """The HTTP request an entry stands for; ValueError (Medplum's text) when it is malformed."""
    if not isinstance(entry, dict):
        raise ValueError("Invalid bundle entry")
    request = entry.get("request")
    if not isinstance(request, dict):
        raise ValueError("Missing entry.request")
    method = request.get("method")
    if not isinstance(method, str) or not method:
        raise ValueError("Missing entry.request.method")
    url = request.get("url")
    if not isinstance(url, str) or not url:
        raise ValueError("Missing entry.request.url")
    if url.startswith(fhir_base):
        url = url[len(fhir_base) :]
    headers = {"content-type": "application/fhir+json", "accept": "application/fhir+json"}
    for field, header in (
        ("ifNoneExist", "if-none-exist"),
        ("ifMatch", "if-match"),
        ("ifNoneMatch", "if-none-match"),
    ):
        if isinstance(request.get(field), str):
            headers[header] = request[field]
    body = b""
    resource = entry.get("resource")
    if method == "PATCH":
        body = _patch_body(resource)
        headers["content-type"] = "application/json-patch+json"
    elif method in ("POST", "PUT"):
        if not isinstance(resource, dict):
            raise ValueError("Missing entry.resource")
        body = json.dumps(resource).encode()
    return httpx.Request(method, fhir_base + url.lstrip("/"), headers=headers, content=body), body


def _patch_body(resource: Any) -> bytes:
    """A PATCH entry carries its JSON Patch as a Binary (base64 `data`), as in FHIR and Medplum."""
    if isinstance(resource, dict) and resource.get("resourceType") == "Binary":
        try:
            return base64.b64decode(resource.get("data") or "")
        except ValueError:
            raise ValueError("Invalid JSON Patch in entry.resource") from None
    raise ValueError("Patch entry must be a Binary resource with the JSON Patch in data")


def batch_response(kind: str, answers: list[httpx.Response]) -> dict[str, Any]:
    """The response Bundle for the answers of the entries, in order."""
    return {"resourceType": "Bundle", "type": kind, "entry": [_entry(a) for a in answers]}


def _entry(answer: httpx.Response) -> dict[str, Any]:
    status = answer.status_code
    try:
        body = answer.json()
    except ValueError:
        body = None
    response: dict[str, Any] = {"status": str(status)}
    entry: dict[str, Any] = {"response": response}
    is_outcome = isinstance(body, dict) and body.get("resourceType") == "OperationOutcome"
    if isinstance(body, dict) and not is_outcome:
        entry["resource"] = body
        meta = body.get("meta") or {}
        if "id" in body and meta.get("versionId"):
            response["location"] = (
                f"{body['resourceType']}/{body['id']}/_history/{meta['versionId']}"
            )
            response["etag"] = f'W/"{meta["versionId"]}"'
        if meta.get("lastUpdated"):
            response["lastModified"] = meta["lastUpdated"]
    if is_outcome:
        response["outcome"] = body
    elif status in _REASONS:
        response["outcome"] = outcome("information", "informational", _REASONS[status])
    return entry
