"""`AsyncMedplumClient`: the client an `async def handler(medplum, event)` receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, overload

import httpx

from medplum_bots.client.core import (
    DEFAULT_BASE_URL,
    Bundle,
    Call,
    Query,
    R,
    Resource,
    T,
    _ClientCore,
    _identity,
    bundle_resources,
)
from medplum_bots.client.retry import RetryPolicy

if TYPE_CHECKING:
    from medplum_bots.fhir import types as fhir

# httpx's own default pool bounds (httpx.AsyncClient's `limits` default).
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class AsyncMedplumClient(_ClientCore):
    """Asynchronous Medplum client (the one an `async def handler(medplum, event)` receives).

    Same calls as `MedplumClient`, awaited; 50 coroutines that need a token share one login.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        access_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        trace_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        budget: float | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        """`limits` bound the connection pool httpx builds when no `transport` is given
        (it then also reads proxy settings from the environment)."""
        super().__init__(
            base_url,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            trace_id=trace_id,
            retry=retry,
            budget=budget,
        )
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout, limits=limits, follow_redirects=True
        )
        self._login_lock = asyncio.Lock()

    # -- plumbing ----------------------------------------------------------------------------

    async def _run(self, call: Call[T]) -> T:
        attempt, relogged = 0, False
        started = time.monotonic()
        while True:
            attempt += 1
            token = await self._fresh_token() if call.authenticated else None
            try:
                response = await self._http.send(self._build(call, token, started))
            except httpx.TransportError as error:
                await self._retry.async_sleep(self._wait_after_error(call, attempt, error, started))
                continue
            step = self._judge(call, response, attempt, relogged, started)
            if step.relogin:
                attempt, relogged = attempt - 1, True
                await self._relogin(token)
            elif step.wait is not None:
                await self._retry.async_sleep(step.wait)
            else:
                return call.finish(step.value)

    async def _fresh_token(self) -> str | None:
        if self._needs_login():
            async with self._login_lock:
                if self._needs_login():  # another coroutine may have logged in meanwhile
                    await self._run(self._login_call(None, None))
        return self._access_token

    async def _relogin(self, rejected: str | None) -> None:
        async with self._login_lock:
            if self._access_token == rejected:
                await self._run(self._login_call(None, None))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- the bot-facing calls ----------------------------------------------------------------

    async def login_client_credentials(
        self, client_id: str | None = None, client_secret: str | None = None
    ) -> dict[str, Any]:
        """Log in with client credentials (given here or to the constructor); the token answer."""
        return await self._run(self._login_call(client_id, client_secret))

    async def read_resource(self, resource_type: fhir.ResourceType, resource_id: str) -> Any:
        """GET `{type}/{id}`."""
        return await self._run(self._read(resource_type, resource_id))

    async def read_version(
        self, resource_type: fhir.ResourceType, resource_id: str, version_id: str
    ) -> Any:
        """GET `{type}/{id}/_history/{vid}`."""
        return await self._run(self._read_version(resource_type, resource_id, version_id))

    async def read_history(self, resource_type: fhir.ResourceType, resource_id: str) -> Bundle:
        """GET `{type}/{id}/_history`: a history Bundle, newest version first."""
        return await self._run(self._read_history(resource_type, resource_id))

    async def read_reference(self, reference: Mapping[str, Any] | str) -> Resource:
        """Read the resource a Reference (`{"reference": "Patient/1"}`) points at."""
        return await self._run(self._read_reference(reference))

    # A dict (literal) stays a dict[str, Any]; a TypedDict (`Patient`) comes back as itself.
    @overload
    async def create_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    async def create_resource(self, resource: R) -> R: ...
    async def create_resource(self, resource: Mapping[str, Any]) -> Any:
        """POST a new resource; the server assigns its id. The answer has the input's type."""
        return await self._run(self._create(resource))

    @overload
    async def create_resource_if_none_exist(
        self, resource: dict[str, Any], query: Query
    ) -> dict[str, Any]: ...
    @overload
    async def create_resource_if_none_exist(self, resource: R, query: Query) -> R: ...
    async def create_resource_if_none_exist(self, resource: Mapping[str, Any], query: Query) -> Any:
        """Create `resource` unless `query` already matches one (`If-None-Exist`)."""
        return await self._run(self._create_if_none_exist(resource, query))

    @overload
    async def update_resource(self, resource: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    async def update_resource(self, resource: R) -> R: ...
    async def update_resource(self, resource: Mapping[str, Any]) -> Any:
        """PUT `resource` (it must have an id)."""
        return await self._run(self._update(resource))

    async def patch_resource(
        self,
        resource_type: fhir.ResourceType,
        resource_id: str,
        operations: Sequence[Mapping[str, Any]],
        *,
        idempotent: bool = False,
    ) -> Any:
        """Apply JSON Patch `operations` (add/remove/replace/test...).

        Not retried after a 5xx or a dropped connection unless `idempotent=True` (e.g. the
        operations are guarded by `test` ops): `add .../-` applied twice appends twice.
        """
        return await self._run(self._patch(resource_type, resource_id, operations, idempotent))

    async def delete_resource(self, resource_type: fhir.ResourceType, resource_id: str) -> Any:
        """DELETE `{type}/{id}`."""
        return await self._run(self._delete_resource(resource_type, resource_id))

    async def search(self, resource_type: fhir.ResourceType, query: Query = None) -> Bundle:
        """Search; the searchset Bundle."""
        return await self._run(self._search(resource_type, query, _identity))

    async def search_one(self, resource_type: fhir.ResourceType, query: Query = None) -> Any:
        """The first match, or None."""
        return await self._run(self._search_one(resource_type, query))

    async def search_resources(self, resource_type: fhir.ResourceType, query: Query = None) -> Any:
        """The resources of the first page of matches."""
        return await self._run(self._search(resource_type, query, bundle_resources))

    async def search_resource_pages(
        self, resource_type: fhir.ResourceType, query: Query = None
    ) -> AsyncIterator[Any]:
        """Every page of matches, following the Bundle's `next` links (`async for`)."""
        call: Call[Bundle] | None = self._search(resource_type, query, _identity)
        while call is not None:
            bundle = await self._run(call)
            yield bundle_resources(bundle)
            call = self._next_page(bundle)

    async def execute_bot(
        self, bot: str | Mapping[str, Any], data: Any, content_type: str = "application/json"
    ) -> Any:
        """Run a Bot by id or Identifier (`{"system": ..., "value": ...}`); its answer."""
        return await self._run(self._execute_bot(bot, data, content_type))

    async def create_binary(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> Resource:
        """Upload raw content as a Binary; the Binary resource (without its data)."""
        return await self._run(self._create_binary(data, content_type, filename))

    async def create_attachment(
        self, data: bytes | str, content_type: str, filename: str | None = None
    ) -> dict[str, Any]:
        """Upload content and return an Attachment `{contentType, url: "Binary/<id>", title}`."""
        return await self._run(self._create_attachment(data, content_type, filename))

    async def get(self, path: str, params: Query = None) -> Any:
        """GET a path relative to the base URL (or an absolute URL); JSON or text."""
        return await self._run(self._raw("GET", path, params=params))

    async def post(
        self, path: str, body: Any, content_type: str | None = None, *, idempotent: bool = False
    ) -> Any:
        """POST `body` (JSON unless bytes/str); `idempotent=True` allows retries after 5xx."""
        return await self._run(
            self._raw("POST", path, body=body, content_type=content_type, idempotent=idempotent)
        )

    async def put(self, path: str, body: Any, content_type: str | None = None) -> Any:
        """PUT `body` (JSON unless bytes/str)."""
        return await self._run(self._raw("PUT", path, body=body, content_type=content_type))

    async def delete(self, path: str) -> Any:
        """DELETE a path."""
        return await self._run(self._raw("DELETE", path))
