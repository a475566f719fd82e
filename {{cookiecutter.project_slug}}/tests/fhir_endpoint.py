"""A tiny external FHIR server on 127.0.0.1 for tests of bots that sync to another system.

It speaks real HTTP (so the code under test runs its real network path) and implements just
what a sync bot needs: conditional update and conditional delete by `identifier`, read by id,
and search by `identifier`. `fail_next()` makes the next requests answer an error status.

    with serve() as endpoint:
        handler(medplum, event_with_secret(endpoint.base_url))
        assert endpoint.find("Patient", "https://medplum.com/patient-id", "123")
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FHIR_JSON = "application/fhir+json"


def _outcome(code: str, text: str, severity: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "details": {"text": text}}],
    }


def _has_identifier(resource: dict[str, Any], token: str) -> bool:
    system, _, value = token.rpartition("|") if "|" in token else ("", "", token)
    for identifier in resource.get("identifier") or []:
        if identifier.get("value") == value and (not system or identifier.get("system") == system):
            return True
    return False


class FhirEndpoint:
    """The server's state; tests read `resources` and `requests` and call `fail_next`."""

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []
        self.base_url = ""
        self._failures: list[int] = []
        self._next_id = 0
        self._lock = threading.Lock()

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` requests with `status` and an OperationOutcome."""
        with self._lock:
            self._failures.extend([status] * times)

    def find(self, resource_type: str, system: str, value: str) -> list[dict[str, Any]]:
        """Stored resources of `resource_type` carrying the identifier `system|value`."""
        with self._lock:
            stored = self.resources.get(resource_type, {}).values()
            return [dict(r) for r in stored if _has_identifier(r, f"{system}|{value}")]

    def handle(
        self, method: str, target: str, body: bytes
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        """Serve one request: (status, JSON answer or None, extra headers)."""
        with self._lock:
            self.requests.append((method, target))
            if self._failures:
                status = self._failures.pop(0)
                return status, _outcome("exception", HTTPStatus(status).phrase), {}
            parts = urlsplit(target)
            path = [p for p in parts.path.split("/") if p]
            if path and path[0] == "fhir":
                path = path[1:]
            query = parse_qs(parts.query)
            if len(path) == 1 and method == "PUT":
                return self._conditional_update(path[0], query, body)
            if len(path) == 1 and method == "DELETE":
                return self._conditional_delete(path[0], query)
            if len(path) == 1 and method == "GET":
                return self._search(path[0], query)
            if len(path) == 2 and method == "GET":
                return self._read(path[0], path[1])
            return 404, _outcome("not-found", f"{method} {parts.path} is not supported"), {}

    def _matches(self, resource_type: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        tokens = query.get("identifier", [])
        stored = self.resources.get(resource_type, {}).values()
        return [r for r in stored if all(_has_identifier(r, t) for t in tokens)]

    def _conditional_update(
        self, resource_type: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if set(query) != {"identifier"}:
            return 400, _outcome("invalid", "conditional update needs ?identifier="), {}
        try:
            resource = json.loads(body)
        except ValueError:
            return 400, _outcome("invalid", "body is not JSON"), {}
        if not isinstance(resource, dict) or resource.get("resourceType") != resource_type:
            return 400, _outcome("invalid", f"body must be a {resource_type}"), {}
        matches = self._matches(resource_type, query)
        if len(matches) > 1:
            return 412, _outcome("multiple-matches", "more than one resource matches"), {}
        if matches:
            resource_id, status = matches[0]["id"], 200
        else:
            self._next_id += 1
            resource_id, status = f"ext-{self._next_id}", 201
        if resource.get("id") not in (None, resource_id):
            return 400, _outcome("invalid", "resource id does not match the condition"), {}
        stored = {**resource, "id": resource_id}
        self.resources.setdefault(resource_type, {})[resource_id] = stored
        return status, stored, {"Location": f"{resource_type}/{resource_id}"}

    def _conditional_delete(
        self, resource_type: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if set(query) != {"identifier"}:
            return 400, _outcome("invalid", "conditional delete needs ?identifier="), {}
        matches = self._matches(resource_type, query)
        if not matches:
            return 200, _outcome("not-found", "no resource matched", "information"), {}
        for resource in matches:
            del self.resources[resource_type][resource["id"]]
        return 204, None, {}

    def _search(
        self, resource_type: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        matches = self._matches(resource_type, query)
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": [{"resource": r} for r in matches],
        }
        return 200, bundle, {}

    def _read(
        self, resource_type: str, resource_id: str
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        resource = self.resources.get(resource_type, {}).get(resource_id)
        if resource is None:
            return 404, _outcome("not-found", f"{resource_type}/{resource_id} not found"), {}
        return 200, resource, {}


def _request_handler(endpoint: FhirEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, answer, headers = endpoint.handle(self.command, self.path, body)
            payload = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            if payload:
                self.send_header("Content-Type", FHIR_JSON)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    return Handler


@contextmanager
def serve() -> Iterator[FhirEndpoint]:
    """Run a fresh `FhirEndpoint` on 127.0.0.1 (a free port) for the `with` block."""
    endpoint = FhirEndpoint()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _request_handler(endpoint))
    server.daemon_threads = True
    endpoint.base_url = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
