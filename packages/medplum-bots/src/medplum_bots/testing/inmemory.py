"""`InMemoryMedplum`: a small FHIR R4 server in memory, plugged into httpx as a transport.

Bots and tests talk to it through the real `MedplumClient` / `AsyncMedplumClient`, so the
exact code that runs against Medplum runs here, offline and fast:

    medplum = InMemoryMedplum()
    client = medplum.client()               # bound to http://medplum.local/, token set
    patient = client.create_resource({"resourceType": "Patient", "name": [{"family": "Doe"}]})
    client.search("Patient", {"family": "doe"})

It implements create / read / update (create-on-update allowed) / JSON Patch / delete,
versions and `_history`, `If-Match` (ETag `W/"n"`), conditional create (`If-None-Exist`),
update, patch and delete (`PUT Patient?identifier=...`), batch and transaction Bundles
(`POST fhir/R4/`, see `testing.bundles`), Binary content, searches driven by Medplum's
SearchParameters (see `testing.search` and `docs/search.md`) with paging, `_include` and
`_revinclude`, and `oauth2/token`. What it does not implement answers 400 with an
OperationOutcome instead of pretending to work.

Like Medplum's server it validates every resource it stores with
`medplum_bots.testing.validation` and refuses, with 400 and Medplum's OperationOutcome, what
Medplum refuses; warnings do not refuse. Validation is a property of storage, not of callers:
every version goes through one write function (`_write`), whichever interaction made it.
`InMemoryMedplum(validate=False)` turns that off (see docs/fhir.md).

It is also the FHIR engine of the loopback Medplum stand-in (`medplum_standin`), one instance
per project: `handle()` answers a request on behalf of an author, `create`/`update`/`read`/
`history` are the stand-in's direct access, and `on_change` tells it what to fire
Subscriptions for. One emulation, so a fidelity fix is made once.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from medplum_bots.client import FHIR_JSON, AsyncMedplumClient, MedplumClient
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.errors import outcome
from medplum_bots.testing.bundles import (
    assign_ids,
    batch_response,
    entry_request,
    rewrite_references,
)
from medplum_bots.testing.json_patch import PatchError, apply_patch
from medplum_bots.testing.operations import NON_FHIR_PATHS, Operations
from medplum_bots.testing.search import Search, SearchError, ValueCache, parse_search
from medplum_bots.testing.validation import is_resource_type, operation_outcome, validate_resource

if TYPE_CHECKING:
    from medplum_bots.testing.fixtures import Fixtures

BASE_URL = "http://medplum.local/"
FHIR_PREFIX = "fhir/R4/"
DEFAULT_COUNT = 20
MULTIPLE_MATCHES = "Multiple resources found matching condition"  # Medplum's texts
PRECONDITION_FAILED = "Precondition Failed"

Resource = dict[str, Any]


def _no_sleep(seconds: float) -> None:
    return None


async def _no_async_sleep(seconds: float) -> None:
    return None


# Clients of the in-memory server retry like real ones, without waiting.
NO_WAIT = RetryPolicy(sleep=_no_sleep, async_sleep=_no_async_sleep)


class FhirError(Exception):
    """An error answer: HTTP status + OperationOutcome issue code + text."""

    def __init__(
        self, status: int, code: str, text: str, body: dict[str, Any] | None = None
    ) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text
        self.body = body  # a whole OperationOutcome to answer with, instead of one issue

    @property
    def outcome(self) -> dict[str, Any]:
        """The OperationOutcome to answer with."""
        return self.body or outcome("error", self.code, self.text)


# The server owns these `meta` fields: a client's values are replaced on every write.
_SERVER_META = ("versionId", "lastUpdated", "project", "author")
Change = Callable[[Resource, str], None]


class _EntryFailed(Exception):
    """A transaction entry failed: the whole transaction answers with its response."""

    def __init__(self, answer: httpx.Response) -> None:
        super().__init__(answer.status_code)
        self.answer = answer


@dataclass(frozen=True)
class _Version:
    resource: Resource  # for a deletion: just resourceType, id and meta
    deleted: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


def _instant(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _valid_type(name: str) -> bool:
    return name[:1].isupper() and name.isalpha()


class InMemoryMedplum(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A FHIR server in memory, usable as a sync and an async httpx transport.

    `add_client(id, secret)` restricts `oauth2/token` to those credentials and then requires a
    token it issued on every FHIR call; with no client added, any credentials and any bearer
    token are accepted. `now` makes `meta.lastUpdated` deterministic in tests (the store still
    keeps it strictly increasing, so `_sort=_lastUpdated` follows the order of writes).
    `validate=False` stores resources Medplum would refuse and accepts unknown resource types
    (escape hatch for tests of bots that must cope with such data; the default validates like
    Medplum). `base_url` is where its URLs point; `project` is stamped as `meta.project` on
    every version; `on_change(resource, interaction)` is called after each stored change
    ("create", "update", "delete"), once the request that made it has succeeded.
    """

    def __init__(
        self,
        *,
        token_lifetime: int = 3600,
        now: Callable[[], datetime] = _now,
        validate: bool = True,
        base_url: str = BASE_URL,
        project: str | None = None,
        on_change: Change | None = None,
    ) -> None:
        self.validate = validate
        self.base_url = base_url
        self.project = project
        self.on_change = on_change
        self._changes: list[tuple[Resource, str]] = []  # made by the request being handled
        self._author: str | None = None  # the profile the request being handled acts for
        self._last_stamp: datetime | None = None
        self._lock = threading.RLock()
        self._resources: dict[str, dict[str, list[_Version]]] = {}
        self._values = ValueCache()  # search parameter values per stored version
        self._clients: dict[str, str] = {}
        self._tokens: set[str] = set()
        self._token_lifetime = token_lifetime
        self._now = now
        self._failures: list[tuple[int, str | None]] = []
        self.logins = 0  # successful oauth2/token calls, for tests
        self.requests: list[tuple[str, str]] = []  # (method, URL) of every request handled
        # auth/me, email, $everything, $expand, $validate, Agent/$push: testing/operations.py
        self.operations = Operations(self)
        self.sent_emails = self.operations.sent_emails
        self.agent_pushes = self.operations.agent_pushes

    # -- test helpers ------------------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Accept these client credentials (and, from now on, only issued tokens)."""
        with self._lock:
            self._clients[client_id] = client_secret

    def issue_token(self) -> str:
        """A new valid access token."""
        token = f"inmemory-{uuid.uuid4().hex}"
        with self._lock:
            self._tokens.add(token)
        return token

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (the next call answers 401 when clients are set)."""
        with self._lock:
            self._tokens.clear()

    def fail_next(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` FHIR calls with `status` (e.g. 429, 503) to test error paths."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def client(
        self, *, trace_id: str | None = None, retry: RetryPolicy | None = None
    ) -> MedplumClient:
        """A `MedplumClient` bound to this server with a valid access token."""
        return MedplumClient(
            self.base_url,
            access_token=self.issue_token(),
            trace_id=trace_id,
            transport=self,
            retry=retry or NO_WAIT,
        )

    def async_client(
        self, *, trace_id: str | None = None, retry: RetryPolicy | None = None
    ) -> AsyncMedplumClient:
        """An `AsyncMedplumClient` bound to this server with a valid access token."""
        return AsyncMedplumClient(
            self.base_url,
            access_token=self.issue_token(),
            trace_id=trace_id,
            transport=self,
            retry=retry or NO_WAIT,
        )

    def all(self, resource_type: str) -> list[Resource]:
        """Copies of the current (not deleted) resources of a type, in creation order."""
        with self._lock:
            return [copy.deepcopy(r) for r in self.current(resource_type)]

    def load_fixtures(self, name: str = "simpsons") -> Fixtures:
        """Store the fixture set `name` with its own ids (`testing.fixtures`, docs/testing.md)."""
        from medplum_bots.testing.fixtures import load_fixtures

        return load_fixtures(self, name)

    # -- direct access (seeding, and the stand-in's own writes) ------------------------------

    def create(
        self,
        resource: Resource,
        *,
        id: str | None = None,
        author: str | None = None,
        validate: bool = True,
        notify: bool = True,
    ) -> Resource:
        """Store a new resource (a fresh id unless `id` is given) through the write path.

        `validate=False` seeds data Medplum would refuse; `notify=False` fires no `on_change`.
        Raises `FhirError` (400) for an invalid resource, (409) when `id` is taken.
        """
        kind = str(resource.get("resourceType"))
        resource_id = id or str(uuid.uuid4())
        with self._lock:
            if self.get(kind, resource_id) is not None:
                raise FhirError(409, "duplicate", f"{kind}/{resource_id} already exists")
            self._author = author
            try:
                stored = self._write(kind, resource, resource_id, validate=validate)
            finally:
                self._author = None
            self._flush(notify)
            return copy.deepcopy(stored)

    def update(self, resource: Resource, *, author: str | None = None) -> Resource:
        """Store a new version of an existing resource (none when nothing changed)."""
        kind, resource_id = str(resource.get("resourceType")), str(resource.get("id"))
        with self._lock:
            self._current(kind, resource_id)
            self._author = author
            try:
                stored = self._write(kind, resource, resource_id)
            finally:
                self._author = None
            self._flush(True)
            return copy.deepcopy(stored)

    def read(self, resource_type: str, resource_id: str) -> Resource:
        """A copy of the current version; `FhirError` 404 (never stored) or 410 (deleted)."""
        with self._lock:
            return copy.deepcopy(self._current(resource_type, resource_id))

    def history(self, resource_type: str, resource_id: str) -> list[Resource]:
        """Copies of every stored version, oldest first (a deletion as its last version)."""
        with self._lock:
            versions = self._resources.get(resource_type, {}).get(resource_id, [])
            return [copy.deepcopy(v.resource) for v in versions]

    def binary_content(self, binary_id: str) -> bytes:
        """The raw bytes of a Binary (empty when it has none or does not exist)."""
        with self._lock:
            binary = self.get("Binary", binary_id) or {}
            return base64.b64decode(binary.get("data") or "")

    # -- what searches read (stored dicts, never mutated: no copies) --------------------------

    def current(self, resource_type: str) -> list[Resource]:
        """The stored current resources of a type (the search `Store` protocol; do not mutate)."""
        versions = self._resources.get(resource_type, {}).values()
        return [v[-1].resource for v in versions if not v[-1].deleted]

    def get(self, resource_type: str, resource_id: str) -> Resource | None:
        """The stored current resource, or None (the search `Store` protocol)."""
        versions = self._resources.get(resource_type, {}).get(resource_id)
        if not versions or versions[-1].deleted:
            return None
        return versions[-1].resource

    # -- httpx transport ---------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (sync transport)."""
        return self._answer(request, request.read())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (async transport)."""
        return self._answer(request, await request.aread())

    def handle(
        self, request: httpx.Request, body: bytes, *, author: str | None = None
    ) -> httpx.Response:
        """Answer one request; writes record `author` (a reference) as `meta.author`."""
        with self._lock:
            self._author = author
            try:
                return self._answer(request, body)
            finally:
                self._author = None

    def _answer(self, request: httpx.Request, body: bytes) -> httpx.Response:
        with self._lock:
            self.requests.append((request.method, str(request.url)))
            try:
                answer = self._route(request, body)
            except FhirError as fail:
                self._changes.clear()
                return _json(fail.status, fail.outcome)
            self._flush(True)
            return answer

    def _flush(self, notify: bool) -> None:
        """Hand the changes the finished request made to `on_change`."""
        changes, self._changes = self._changes, []
        if notify and self.on_change is not None:
            for resource, interaction in changes:
                self.on_change(copy.deepcopy(resource), interaction)

    # -- routing -----------------------------------------------------------------------------

    def _route(self, request: httpx.Request, body: bytes) -> httpx.Response:
        url = urlsplit(str(request.url))
        path = url.path.lstrip("/")
        method = request.method.upper()
        if path == "oauth2/token":
            if method != "POST":
                raise FhirError(405, "not-supported", "Use POST for oauth2/token")
            return self._token(body)
        if not path.startswith(FHIR_PREFIX) and path not in NON_FHIR_PATHS:
            raise FhirError(404, "not-found", f"Not found in memory: {path}")
        self._authorize(request)
        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after else {}
            text = f"Injected failure (HTTP {status})"
            return _json(status, outcome("error", "transient", text), headers=headers)
        parts = [p for p in path[len(FHIR_PREFIX) :].split("/") if p]
        if not parts and method == "POST":
            return self._bundle(body)
        return self._fhir(request, body)

    def _fhir(self, request: httpx.Request, body: bytes) -> httpx.Response:
        """One FHIR interaction (also each entry of a batch or transaction)."""
        handled = self.operations.answer(request, body)
        if handled is not None:
            return handled
        url = urlsplit(str(request.url))
        path = url.path.lstrip("/")
        params = parse_qsl(url.query, keep_blank_values=True)
        method = request.method.upper()
        parts = [p for p in path[len(FHIR_PREFIX) :].split("/") if p]
        operation = next((p for p in parts if p.startswith("$")), None)
        if operation is not None:
            raise FhirError(400, "not-supported", f"Operation not supported in memory: {operation}")
        if not parts or not _valid_type(parts[0]):
            raise FhirError(400, "not-supported", f"Not supported in memory: {method} {path}")
        kind, rest = parts[0], parts[1:]
        self._check_type(kind)
        match (method, rest):
            case ("GET", []):
                return self._search(kind, params)
            case ("POST", []):
                return self._create(kind, request, body)
            case ("PUT", []):
                return self._conditional_update(kind, params, request, body)
            case ("PATCH", []):
                return self._conditional_patch(kind, params, request, body)
            case ("DELETE", []):
                return self._conditional_delete(kind, params)
            case ("POST", ["_search"]):
                form = parse_qsl(body.decode(), keep_blank_values=True)
                return self._search(kind, params + form)
            case ("GET", [resource_id, "_history"]):
                return self._history(kind, resource_id)
            case ("GET", [resource_id, "_history", version_id]):
                return self._vread(kind, resource_id, version_id, request)
            case ("GET", [resource_id]) if not resource_id.startswith("_"):
                return self._read(kind, resource_id, request)
            case ("PUT", [resource_id]):
                return self._update(kind, resource_id, request, body)
            case ("PATCH", [resource_id]):
                return self._patch(kind, resource_id, request, body)
            case ("DELETE", [resource_id]):
                return self._delete(kind, resource_id)
        raise FhirError(400, "not-supported", f"Not supported in memory: {method} {path}")

    def _authorize(self, request: httpx.Request) -> None:
        if not self._clients:
            return  # open mode: any caller is welcome
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if token not in self._tokens:
            raise FhirError(401, "login", "Unauthorized")

    def _token(self, body: bytes) -> httpx.Response:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return _json(
                400,
                {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"},
            )
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if self._clients and self._clients.get(client_id) != secret:
            return _json(
                400, {"error": "invalid_request", "error_description": "Invalid client or secret"}
            )
        self.logins += 1
        return _json(
            200,
            {
                "access_token": self.issue_token(),
                "token_type": "Bearer",
                "expires_in": self._token_lifetime,
            },
            "application/json",
        )

    # -- validation (as Medplum's server: before anything is stored) --------------------------

    def _check_type(self, kind: str) -> None:
        if self.validate and not is_resource_type(kind):
            raise FhirError(400, "structure", "Unknown resource type")

    def _check_valid(self, resource: Resource) -> None:
        """Refuse (400, Medplum's OperationOutcome) a resource Medplum would not store."""
        issues = validate_resource(resource)
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise FhirError(400, errors[0].code, errors[0].text, operation_outcome(issues))

    # -- storage -----------------------------------------------------------------------------

    def _versions(self, kind: str, resource_id: str) -> list[_Version]:
        versions = self._resources.get(kind, {}).get(resource_id)
        if not versions:
            raise FhirError(404, "not-found", f"Not found: {kind}/{resource_id}")
        return versions

    def _current(self, kind: str, resource_id: str) -> Resource:
        latest = self._versions(kind, resource_id)[-1]
        if latest.deleted:
            raise FhirError(410, "deleted", f"Deleted: {kind}/{resource_id}")
        return latest.resource

    def _write(
        self,
        kind: str,
        resource: Resource,
        resource_id: str,
        *,
        deleted: bool = False,
        validate: bool = True,
    ) -> Resource:
        """The one way a version is stored: create, update, patch, delete, conditional or in a
        Bundle. Validates what would be stored (unless `validate=False` or the server's is
        off), keeps the current version when nothing but server meta changed (as Medplum's
        repository does), stamps the server's meta and records the change for `on_change`."""
        if not deleted and validate and self.validate:
            # As sent (a client's malformed meta.versionId is refused, as by Medplum).
            self._check_valid({**resource, "resourceType": kind, "id": resource_id})
        versions = self._resources.get(kind, {}).get(resource_id, [])
        latest = versions[-1] if versions else None
        meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in _SERVER_META}
        meta["versionId"] = str(len(versions) + 1)
        meta["lastUpdated"] = self._stamp()
        if self.project is not None:
            meta["project"] = self.project
        if self._author is not None:
            meta["author"] = {"reference": self._author}
        stored = {**resource, "resourceType": kind, "id": resource_id, "meta": meta}
        live = latest.resource if latest is not None and not latest.deleted else None
        if not deleted and live is not None and _same_content(live, stored):
            return live
        self._resources.setdefault(kind, {}).setdefault(resource_id, []).append(
            _Version(copy.deepcopy(stored), deleted)
        )
        if deleted:  # what was deleted, as Subscriptions see it
            self._changes.append((live or stored, "delete"))
        else:
            self._changes.append((stored, "update" if live is not None else "create"))
        return stored

    def _stamp(self) -> str:
        """`meta.lastUpdated`: the clock's instant, moved 1 ms past the previous write's when
        two writes share a millisecond, so sorting by `_lastUpdated` follows the write order."""
        moment = self._now()
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        if self._last_stamp is not None and moment <= self._last_stamp:
            moment = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = moment
        return _instant(moment)

    def _parse_resource(self, kind: str, request: httpx.Request, body: bytes) -> Resource:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "Binary" and content_type not in (FHIR_JSON, "application/json"):
            data = base64.b64encode(body).decode()
            return {
                "resourceType": "Binary",
                "contentType": content_type or "application/octet-stream",
                "data": data,
            }
        try:
            resource = json.loads(body or b"null")
        except ValueError:
            raise FhirError(400, "invalid", "Request body is not valid JSON") from None
        if not isinstance(resource, dict):
            raise FhirError(400, "invalid", "Request body must be a JSON object")
        if resource.get("resourceType") != kind:
            raise FhirError(
                400,
                "invalid",
                f"Incorrect resource type: expected {kind}, got {resource.get('resourceType')!r}",
            )
        return resource

    # -- interactions ------------------------------------------------------------------------

    def _create(
        self, kind: str, request: httpx.Request, body: bytes, assigned_id: str | None = None
    ) -> httpx.Response:
        resource = self._parse_resource(kind, request, body)
        condition = request.headers.get("if-none-exist")
        if condition:
            found = self._matches(kind, parse_qsl(condition, keep_blank_values=True))
            if len(found) > 1:
                raise FhirError(412, "multiple-matches", MULTIPLE_MATCHES)
            if found:
                return self._resource_answer(200, found[0])
        resource_id = assigned_id or str(uuid.uuid4())  # Medplum assigns the id, then validates
        return self._resource_answer(201, self._write(kind, resource, resource_id))

    def _read(self, kind: str, resource_id: str, request: httpx.Request) -> httpx.Response:
        return self._render(self._current(kind, resource_id), request)

    def _vread(
        self, kind: str, resource_id: str, version_id: str, request: httpx.Request
    ) -> httpx.Response:
        for version in self._versions(kind, resource_id):
            if version.resource["meta"]["versionId"] == version_id:
                if version.deleted:
                    raise FhirError(
                        410, "deleted", f"Deleted: {kind}/{resource_id}/_history/{version_id}"
                    )
                return self._render(version.resource, request)
        raise FhirError(404, "not-found", f"Not found: {kind}/{resource_id}/_history/{version_id}")

    def _update(
        self,
        kind: str,
        resource_id: str,
        request: httpx.Request,
        body: bytes,
    ) -> httpx.Response:
        resource = self._parse_resource(kind, request, body)
        return self._update_resource(kind, resource_id, resource, request.headers.get("if-match"))

    def _update_resource(
        self, kind: str, resource_id: str, resource: Resource, if_match: str | None
    ) -> httpx.Response:
        # A raw Binary upload has no id in its body; a JSON resource must name the URL's id.
        if (kind != "Binary" or "id" in resource) and resource.get("id") != resource_id:
            raise FhirError(
                400,
                "invalid",
                f"Resource id {resource.get('id')!r} does not match URL id {resource_id!r}",
            )
        versions = self._resources.get(kind, {}).get(resource_id)
        if not versions:
            stored = self._write(kind, resource, resource_id)  # create-on-update
            return self._resource_answer(201, stored)
        _check_if_match(if_match, versions[-1].resource)
        return self._resource_answer(200, self._write(kind, resource, resource_id))

    def _conditional_update(
        self, kind: str, params: list[tuple[str, str]], request: httpx.Request, body: bytes
    ) -> httpx.Response:
        resource = self._parse_resource(kind, request, body)
        found = self._matches(kind, params)
        if len(found) > 1:
            raise FhirError(412, "multiple-matches", MULTIPLE_MATCHES)
        if not found:
            if "id" in resource:
                raise FhirError(
                    400, "invalid", "Cannot perform create as update with client-assigned ID"
                )
            return self._resource_answer(201, self._write(kind, resource, str(uuid.uuid4())))
        existing_id = found[0]["id"]
        if resource.get("id", existing_id) != existing_id:
            raise FhirError(400, "invalid", "Resource ID did not match resolved ID")
        return self._update_resource(
            kind, existing_id, {**resource, "id": existing_id}, request.headers.get("if-match")
        )

    def _conditional_patch(
        self, kind: str, params: list[tuple[str, str]], request: httpx.Request, body: bytes
    ) -> httpx.Response:
        found = self._matches(kind, params)
        if len(found) > 1:
            raise FhirError(412, "multiple-matches", MULTIPLE_MATCHES)
        if not found:
            raise FhirError(404, "not-found", "Not found")
        return self._patch(kind, found[0]["id"], request, body)

    def _conditional_delete(self, kind: str, params: list[tuple[str, str]]) -> httpx.Response:
        found = self._matches(kind, params)
        if len(found) > 1:
            raise FhirError(412, "multiple-matches", MULTIPLE_MATCHES)
        if found:
            return self._delete(kind, found[0]["id"])
        return _json(200, outcome("information", "informational", "All OK"))

    def _patch(
        self, kind: str, resource_id: str, request: httpx.Request, body: bytes
    ) -> httpx.Response:
        current = self._current(kind, resource_id)
        _check_if_match(request.headers.get("if-match"), current)
        try:
            operations = json.loads(body or b"null")
            patched = apply_patch(current, operations)
        except ValueError as error:  # PatchError and invalid JSON
            raise FhirError(
                400,
                "invalid",
                str(error) if isinstance(error, PatchError) else "Invalid JSON Patch",
            ) from None
        if patched.get("resourceType") != kind or patched.get("id") != resource_id:
            raise FhirError(400, "invalid", "A patch cannot change resourceType or id")
        return self._resource_answer(200, self._write(kind, patched, resource_id))

    def _delete(self, kind: str, resource_id: str) -> httpx.Response:
        current = self._current(kind, resource_id)
        self._write(
            kind,
            {"resourceType": kind, "id": resource_id, "meta": current.get("meta", {})},
            resource_id,
            deleted=True,
        )
        return _json(200, outcome("information", "informational", "Deleted"))

    def _history(self, kind: str, resource_id: str) -> httpx.Response:
        entries = []
        for version in reversed(self._versions(kind, resource_id)):
            resource = version.resource
            entry: dict[str, Any] = {"fullUrl": self._location(resource).split("/_history")[0]}
            if version.deleted:
                entry["request"] = {"method": "DELETE", "url": f"{kind}/{resource_id}"}
            else:
                entry["resource"] = _for_json(resource)
            entries.append(entry)
        return _json(
            200,
            {"resourceType": "Bundle", "type": "history", "total": len(entries), "entry": entries},
        )

    def _render(self, resource: Resource, request: httpx.Request) -> httpx.Response:
        if resource["resourceType"] == "Binary" and not _wants_json(request):
            raw = base64.b64decode(resource.get("data") or "")
            return httpx.Response(
                200,
                content=raw,
                headers={"Content-Type": resource.get("contentType") or "application/octet-stream"},
            )
        etag = {"ETag": f'W/"{resource["meta"]["versionId"]}"'}
        return _json(200, resource, headers=etag)  # a read shows a Binary's data too

    def _resource_answer(self, status: int, resource: Resource) -> httpx.Response:
        """A write's answer with its ETag (`W/"<versionId>"`, as Medplum sends it)."""
        headers = {"ETag": f'W/"{resource["meta"]["versionId"]}"'}
        where = self._location(resource) if status == 201 else None
        return _json(status, _for_json(resource), location=where, headers=headers)

    def _location(self, resource: Resource) -> str:
        version = resource["meta"]["versionId"]
        where = f"{resource['resourceType']}/{resource['id']}"
        return f"{self.base_url}{FHIR_PREFIX}{where}/_history/{version}"

    # -- batch and transaction ---------------------------------------------------------------

    def _bundle(self, body: bytes) -> httpx.Response:
        try:
            bundle = json.loads(body or b"null")
        except ValueError:
            raise FhirError(400, "invalid", "Request body is not valid JSON") from None
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise FhirError(400, "invalid", "Not a bundle")
        kind = bundle.get("type")
        if not kind:
            raise FhirError(400, "invalid", "Missing bundle type")
        if kind not in ("batch", "transaction"):
            raise FhirError(400, "invalid", "Unrecognized bundle type")
        entries = bundle.get("entry")
        if not isinstance(entries, list):
            raise FhirError(400, "invalid", "Missing bundle entry")
        if kind == "batch":
            answers = [self._entry(e, {}) for e in entries]
            return _json(200, batch_response("batch-response", answers))
        saved = {k: {i: list(v) for i, v in d.items()} for k, d in self._resources.items()}
        changes = len(self._changes)
        try:
            ids = assign_ids(entries)  # urn:uuid:... -> Type/<new id>, known before any write
            answers = []
            for entry in entries:
                answer = self._entry(rewrite_references(entry, ids), ids)
                if answer.status_code >= 400:
                    raise _EntryFailed(answer)
                answers.append(answer)
                full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
                if (
                    isinstance(full_url, str)
                    and full_url.startswith("urn:")
                    and full_url not in ids
                ):
                    created = answer.json()  # a conditional create: the id it found or made
                    ids[full_url] = f"{created['resourceType']}/{created['id']}"
        except _EntryFailed as failed:
            self._resources = saved  # all or nothing
            del self._changes[changes:]
            return failed.answer
        except FhirError:
            self._resources = saved
            raise
        return _json(200, batch_response("transaction-response", answers))

    def _entry(self, entry: Any, ids: dict[str, str]) -> httpx.Response:
        """One entry of a batch or transaction, answered as its own request would be."""
        try:
            request, body = entry_request(entry, self.base_url + FHIR_PREFIX)
        except ValueError as error:
            return _json(400, outcome("error", "invalid", str(error)))
        try:
            full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
            assigned = ids.get(full_url or "")
            if assigned and request.method == "POST":
                kind, _, new_id = assigned.partition("/")
                return self._create(kind, request, body, assigned_id=new_id)
            return self._fhir(request, body)
        except FhirError as fail:
            return _json(fail.status, fail.outcome)

    # -- search ------------------------------------------------------------------------------

    def _parse(self, kind: str, params: Sequence[tuple[str, str]]) -> Search:
        try:
            return parse_search(kind, params)
        except SearchError as error:
            raise FhirError(400, "invalid", str(error)) from None

    def _matches(self, kind: str, params: Sequence[tuple[str, str]]) -> list[Resource]:
        return self._parse(kind, params).run(self, self._values)

    def _search(self, kind: str, params: list[tuple[str, str]]) -> httpx.Response:
        search = self._parse(kind, params)
        try:
            matches = search.run(self, self._values)
            count = search.count if search.count is not None else DEFAULT_COUNT
            offset = search.offset
            page = matches[offset : offset + count]
            included = search.included(page, self, self._values)
        except SearchError as error:
            raise FhirError(400, "invalid", str(error)) from None
        bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
        if search.total in ("accurate", "estimate"):
            bundle["total"] = len(matches)
        kept = [(k, v) for k, v in params if k not in ("_count", "_offset")]
        # Medplum's links: `self` always; `first`, `next`, `previous` on a non-empty page.
        links = [{"relation": "self", "url": self._page_url(kind, kept, count, offset)}]
        if count > 0 and page:
            links.append({"relation": "first", "url": self._page_url(kind, kept, count, 0)})
            if offset + count < len(matches):
                links.append(
                    {"relation": "next", "url": self._page_url(kind, kept, count, offset + count)}
                )
            if offset > 0:
                links.append(
                    {
                        "relation": "previous",
                        "url": self._page_url(kind, kept, count, max(0, offset - count)),
                    }
                )
        bundle["link"] = links
        entries = [
            {
                "fullUrl": f"{self.base_url}{FHIR_PREFIX}{r['resourceType']}/{r['id']}",
                "search": {"mode": mode},
                "resource": _for_json(search.shape(r)),
            }
            for mode, rows in (("match", page), ("include", included))
            for r in rows
        ]
        if entries or count > 0:
            bundle["entry"] = entries
        return _json(200, bundle)

    def _page_url(self, kind: str, params: list[tuple[str, str]], count: int, offset: int) -> str:
        query = urlencode([*params, ("_count", str(count)), ("_offset", str(offset))])
        return f"{self.base_url}{FHIR_PREFIX}{kind}?{query}"


def _same_content(old: Resource, new: Resource) -> bool:
    def strip(resource: Resource) -> Resource:
        meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in _SERVER_META}
        return {**resource, "meta": meta}

    return strip(old) == strip(
        {**new, "id": old.get("id"), "resourceType": old.get("resourceType")}
    )


def _for_json(resource: Resource) -> Resource:
    """What a create/update answer shows: Binary without its (possibly large) data."""
    if resource.get("resourceType") == "Binary":
        return {k: v for k, v in resource.items() if k != "data"}
    return resource


def _check_if_match(if_match: str | None, current: Resource) -> None:
    """Optimistic locking: `If-Match: W/"<versionId>"` must name the current version (412)."""
    if if_match and _etag_version(if_match) != current["meta"]["versionId"]:
        raise FhirError(412, "processing", PRECONDITION_FAILED)


def _etag_version(header: str) -> str:
    """The version in an ETag / If-Match value: `W/"3"` (or `"3"`, or `3`) gives `3`."""
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def _wants_json(request: httpx.Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "fhir+json" in accept or "application/json" in accept


def _json(
    status: int,
    body: Any,
    content_type: str = FHIR_JSON,
    *,
    location: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {**(headers or {}), "Content-Type": f"{content_type}; charset=utf-8"}
    if location:
        headers["Location"] = location
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)
