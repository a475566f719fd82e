"""Tests against a real Medplum (`pytest --medplum staging`): tag what a test writes, then
remove it.

`LiveMedplum.open(config, "staging")` resolves the environment's credentials exactly as
`invoke deploy` does (`deploy.credentials`) and logs in once. Each test gets a `TestRun`:
clients whose transport (`TaggingTransport`) adds the test's tag to every resource it creates
(`POST Type`, and `POST` entries of a batch or transaction) and records the types written and
the ids created; `TestRun.clean_up()` then searches each written type by that tag and deletes
the matches, plus every resource answered `201` (Binaries cannot carry a tag).

What is never tagged and so never deleted: resources a test updates or patches without having
created them (an existing patient a test edits stays, with the edit), and what the server
creates itself (AuditEvents). Deleting only tagged or created resources means a test cannot
remove a team's own data by matching it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import httpx

from medplum_bots.client import AsyncMedplumClient, MedplumClient
from medplum_bots.config import ProjectConfig
from medplum_bots.deploy.credentials import Credentials, resolve_credentials
from medplum_bots.errors import OperationOutcomeError

if TYPE_CHECKING:
    from medplum_bots.fhir import ResourceType

TEST_RUN_SYSTEM = "https://medplum-bots-template.dev/test-run"
_JSON_TYPES = ("application/json", "application/fhir+json")
_CLEANUP_PAGE = 100
_CLEANUP_ROUNDS = 50  # pages of one type per test; a test writing more is not a unit test


def new_run_id() -> str:
    """A code for one test session: UTC time plus randomness (`20261205T0210Z-3f9a1c2b`)."""
    return time.strftime("%Y%m%dT%H%MZ", time.gmtime()) + "-" + secrets.token_hex(4)


@dataclass
class Writes:
    """What one test wrote through its clients (thread-safe: bots may write concurrently)."""

    types: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)  # "Type/id", in creation order
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_type(self, resource_type: str) -> None:
        with self.lock:
            self.types.add(resource_type)

    def add_created(self, reference: str) -> None:
        with self.lock:
            self.created.append(reference)


class TaggingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a real transport (and closes it): tags created resources with `tag`, records
    into `writes`."""

    def __init__(
        self,
        fhir_base: str,
        tag: dict[str, str],
        writes: Writes,
        *,
        sync: httpx.BaseTransport | None = None,
        async_: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._fhir_path = urlsplit(fhir_base).path
        self._tag = tag
        self._writes = writes
        self._sync = sync
        self._async = async_

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert self._sync is not None, "no sync transport given"
        request, kind = self._prepare(request)
        response = self._sync.handle_request(request)
        if kind and response.status_code in (200, 201):
            response.read()
            self._record(kind, response)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self._async is not None, "no async transport given"
        request, kind = self._prepare(request)
        response = await self._async.handle_async_request(request)
        if kind and response.status_code in (200, 201):
            await response.aread()
            self._record(kind, response)
        return response

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()

    # -- what a request writes ---------------------------------------------------------------

    def _prepare(self, request: httpx.Request) -> tuple[httpx.Request, str | None]:
        """The request to send (tagged when it creates) and what to record from its answer:
        `"bundle"`, `"resource"` or None."""
        path = request.url.path
        if not path.startswith(self._fhir_path) or request.method not in ("POST", "PUT"):
            return request, None
        parts = [p for p in path[len(self._fhir_path) :].split("/") if p]
        if any(p.startswith("$") or p.startswith("_") for p in parts):
            return request, None  # operations and _search write nothing of the test's
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        is_json = content_type in _JSON_TYPES
        if not parts:
            if request.method != "POST" or not is_json:
                return request, None
            bundle = _json_body(request)
            if not isinstance(bundle, dict):
                return request, None
            for entry in bundle.get("entry") or []:
                if not isinstance(entry, dict):
                    continue
                method = (entry.get("request") or {}).get("method")
                resource = entry.get("resource")
                if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
                    self._writes.add_type(resource["resourceType"])
                    if method == "POST":
                        entry["resource"] = self._tagged(resource)
            return _with_body(request, bundle), "bundle"
        self._writes.add_type(parts[0])
        if request.method == "POST" and len(parts) == 1 and is_json and parts[0] != "Binary":
            resource = _json_body(request)
            if isinstance(resource, dict):
                return _with_body(request, self._tagged(resource)), "resource"
        return request, "resource"

    def _tagged(self, resource: dict[str, Any]) -> dict[str, Any]:
        meta = dict(resource.get("meta") or {})
        tags = [t for t in meta.get("tag") or [] if t != self._tag]
        meta["tag"] = [*tags, dict(self._tag)]
        return {**resource, "meta": meta}

    def _record(self, kind: str, response: httpx.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        if kind == "resource" and response.status_code == 201:
            if isinstance(body.get("resourceType"), str) and isinstance(body.get("id"), str):
                self._writes.add_created(f"{body['resourceType']}/{body['id']}")
            return
        for entry in body.get("entry") or []:
            answer = entry.get("response") if isinstance(entry, dict) else None
            if not isinstance(answer, dict) or not str(answer.get("status", "")).startswith("201"):
                continue
            reference = _reference_from_location(str(answer.get("location", "")))
            if reference:
                self._writes.add_created(reference)


def _json_body(request: httpx.Request) -> Any:
    try:
        return json.loads(request.read() or b"null")
    except ValueError:
        return None


def _with_body(request: httpx.Request, body: Any) -> httpx.Request:
    content = json.dumps(body).encode()
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return httpx.Request(
        request.method, request.url, headers=headers, content=content, extensions=request.extensions
    )


def _reference_from_location(location: str) -> str | None:
    """`Patient/1` from `https://x/fhir/R4/Patient/1/_history/1` (or `Patient/1/_history/1`)."""
    parts = [p for p in urlsplit(location).path.split("/") if p]
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2][:1].isupper():
        return f"{parts[-2]}/{parts[-1]}"
    return None


class CleanupError(Exception):
    """Some of a test's data could not be removed; the message names the tag to find it by."""


@dataclass
class TestRun:
    """One test's view of the live server: its tag, its clients, what it wrote."""

    __test__ = False  # not a pytest test class

    server: LiveMedplum
    tag: dict[str, str]
    writes: Writes = field(default_factory=Writes)

    def client(self) -> MedplumClient:
        """A client of the environment whose creates carry this test's tag."""
        transport = TaggingTransport(
            self.server.fhir_base, self.tag, self.writes, sync=httpx.HTTPTransport()
        )
        return self.server.new_client(transport)

    def async_client(self) -> AsyncMedplumClient:
        """The async twin; its connections are not kept alive (no pool outlives the test's
        event loop)."""
        inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
        transport = TaggingTransport(self.server.fhir_base, self.tag, self.writes, async_=inner)
        creds = self.server.credentials
        return AsyncMedplumClient(
            creds.base_url,
            access_token=self.server.access_token,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            transport=transport,
        )

    def transport(self) -> TaggingTransport:
        """A transport (sync and async) to the environment that tags like the clients do: for
        running a handler through the runtime's adapter (`execute_sync(..., transport=)`)."""
        return TaggingTransport(
            self.server.fhir_base,
            self.tag,
            self.writes,
            sync=httpx.HTTPTransport(),
            async_=httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)),
        )

    def clean_up(self) -> list[str]:
        """Delete what this test created; returns the references deleted.

        Raises CleanupError (one line, naming the tag) when something could not be deleted.
        """
        deleted: list[str] = []
        failures: list[str] = []
        with self.server.new_client(httpx.HTTPTransport()) as client:
            token = f"{self.tag['system']}|{self.tag['code']}"
            for resource_type in sorted(self.writes.types):
                for _round in range(_CLEANUP_ROUNDS):
                    try:
                        found = client.search_resources(
                            cast("ResourceType", resource_type),
                            {"_tag": token, "_count": str(_CLEANUP_PAGE)},
                        )
                    except OperationOutcomeError as error:
                        if error.status == 400:  # a type that cannot be searched by _tag
                            break
                        failures.append(f"search {resource_type}: {error}")
                        break
                    if not found:
                        break
                    refs = [f"{r['resourceType']}/{r['id']}" for r in found]
                    gone = _delete_all(client, refs, failures)
                    deleted += gone
                    if len(gone) < len(refs):
                        break  # a delete failed: searching again would find it again
            leftovers = [r for r in dict.fromkeys(self.writes.created) if r not in deleted]
            deleted += _delete_all(client, reversed(leftovers), failures, missing_ok=True)
        if failures:
            raise CleanupError(
                f"{len(failures)} cleanup step(s) failed; find the rest by _tag={token}: "
                + "; ".join(failures[:3])
            )
        return deleted


def _delete_all(
    client: MedplumClient,
    references: Iterable[str],
    failures: list[str],
    *,
    missing_ok: bool = False,
) -> list[str]:
    gone = []
    for reference in references:
        resource_type, _, resource_id = reference.partition("/")
        try:
            client.delete_resource(cast("ResourceType", resource_type), resource_id)
        except OperationOutcomeError as error:
            if not (missing_ok and error.status in (404, 410)):
                failures.append(f"delete {reference}: {error}")
            continue
        gone.append(reference)
    return gone


class LiveMedplum:
    """One environment of the config, logged in once for a whole test session."""

    def __init__(self, credentials: Credentials, run_id: str | None = None) -> None:
        self.credentials = credentials
        self.run_id = run_id or new_run_id()
        self.fhir_base = credentials.base_url + "fhir/R4/"
        self.access_token: str | None = None
        self._tests = 0
        self._lock = threading.Lock()

    @classmethod
    def from_config(
        cls, config: ProjectConfig, environment: str, environ: dict[str, str] | None = None
    ) -> LiveMedplum:
        """Credentials of `environment` as `invoke deploy` finds them (ConfigError,
        CredentialsError: one line, never a secret's value)."""
        env = config.environment(environment)
        return cls(resolve_credentials(env, Path(config.root), environ))

    def new_client(self, transport: httpx.BaseTransport) -> MedplumClient:
        creds = self.credentials
        return MedplumClient(
            creds.base_url,
            access_token=self.access_token,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            transport=transport,
        )

    def log_in(self) -> None:
        """Log in once (OperationOutcomeError when the credentials are refused)."""
        with self.new_client(httpx.HTTPTransport()) as client:
            self.access_token = client.login_client_credentials()["access_token"]

    def test_run(self, description: str) -> TestRun:
        """A new tag for one test: code `<run id>-<n>`, display = the test's id."""
        with self._lock:
            self._tests += 1
            number = self._tests
        tag = {
            "system": TEST_RUN_SYSTEM,
            "code": f"{self.run_id}-{number}",
            "display": description[:200],
        }
        return TestRun(self, tag)
