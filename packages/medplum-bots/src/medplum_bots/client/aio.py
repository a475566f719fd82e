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
    JSON_PATCH,
    Bundle,
    Call,
    Query,
    R,
    Resource,
    SecurityContext,
    T,
    _ClientCore,
    _identity,
    attachment_content_type,
    attachment_of,
    bundle_resources,
    comment_of,
    now_iso,
    reference_to,
)
from medplum_bots.client.pdf import render_pdf
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
        self._session_lock = asyncio.Lock()

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
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
    ) -> Resource:
        """Upload raw content as a Binary; the Binary resource (without its data).

        `security_context` (a Reference or its string) is sent as `X-Security-Context`: who
        may read the Binary follows that resource's access rules.
        """
        return await self._run(self._create_binary(data, content_type, filename, security_context))

    async def create_attachment(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
    ) -> dict[str, Any]:
        """Upload content through `create_binary`; an Attachment `{contentType, url, title}`."""
        content_type = attachment_content_type(data, content_type)
        binary = await self.create_binary(
            data, content_type, filename, security_context=security_context
        )
        return attachment_of(binary, content_type, filename)

    async def create_pdf(
        self,
        doc_definition: Mapping[str, Any] | str | Sequence[Any],
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
    ) -> Resource:
        """Render a pdfmake-like document (see docs/client.md) and upload it as a PDF Binary.

        Needs the `pdf` extra (`pip install 'medplum-bots[pdf]'`, reportlab).
        """
        data = await asyncio.to_thread(render_pdf, doc_definition)
        return await self.create_binary(
            data, "application/pdf", filename, security_context=security_context
        )

    async def create_media(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> Resource:
        """A Media for uploaded content: created `preparation`, then `completed` with it.

        The Binary's security context is the Media itself unless `security_context` is given.
        """
        media = await self.create_resource(self._media_resource(content_type, additional_fields))
        content = await self.create_attachment(
            data, content_type, filename, security_context=security_context or reference_to(media)
        )
        return await self.update_resource({**media, "status": "completed", "content": content})

    async def create_comment(self, resource: Mapping[str, Any], text: str) -> Resource:
        """A completed Communication about `resource` whose payload is `text`, sent by the
        profile of this login (`get_profile`)."""
        return await self.create_resource(
            comment_of(resource, text, await self.get_profile(), now_iso())
        )

    async def download(self, url: str) -> bytes:
        """The bytes at `url`: `Binary/<id>`, a path under the base URL, or an absolute
        (e.g. presigned) URL. Error answers raise, as every call does."""
        return await self._run(self._download(url))

    async def create_document_reference(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None = None,
        *,
        security_context: SecurityContext = None,
        additional_fields: Mapping[str, Any] | None = None,
    ) -> Resource:
        """A DocumentReference for uploaded content, created first so that it is the Binary's
        security context (unless `security_context` is given), then updated with it."""
        document = await self.create_resource(
            self._document_reference(content_type, additional_fields)
        )
        attachment = await self.create_attachment(
            data,
            content_type,
            filename,
            security_context=security_context or reference_to(document),
        )
        return await self.update_resource({**document, "content": [{"attachment": attachment}]})

    async def read_patient_summary(self, patient_id: str) -> Bundle:
        """GET `Patient/{id}/$summary`: the International Patient Summary Bundle."""
        return await self._run(self._patient_summary(patient_id))

    async def read_resource_graph(
        self, resource_type: fhir.ResourceType, resource_id: str, graph_name: str
    ) -> Bundle:
        """GET `{type}/{id}/$graph?graph=...`: the resources a GraphDefinition reaches."""
        return await self._run(self._resource_graph(resource_type, resource_id, graph_name))

    async def invite(self, project_id: str, body: Mapping[str, Any]) -> Resource:
        """POST `admin/projects/{id}/invite` (project admins): the new ProjectMembership."""
        return await self._run(self._invite(project_id, body))

    async def execute_batch(self, bundle: Mapping[str, Any]) -> Bundle:
        """POST a batch or transaction Bundle to the FHIR base; the response Bundle."""
        return await self._run(self._execute_batch(bundle))

    @overload
    async def upsert_resource(self, resource: dict[str, Any], query: Query) -> dict[str, Any]: ...
    @overload
    async def upsert_resource(self, resource: R, query: Query) -> R: ...
    async def upsert_resource(self, resource: Mapping[str, Any], query: Query) -> Any:
        """Update the one resource `query` matches, or create it (`PUT Type?query`)."""
        return await self._run(self._upsert(resource, query))

    async def read_patient_everything(self, patient_id: str) -> Bundle:
        """GET `Patient/{id}/$everything`: the patient and everything in its compartment."""
        return await self._run(self._patient_everything(patient_id))

    async def read_canonical(
        self, resource_type: fhir.ResourceType | Sequence[fhir.ResourceType], url: str
    ) -> Any:
        """The resource of the first type (in order) whose `url` is `url` (`url|version`
        also matches its `version`), or None."""
        types = [resource_type] if isinstance(resource_type, str) else list(resource_type)
        for kind in types:
            found = await self._run(self._read_canonical(kind, url))
            if found is not None:
                return found
        return None

    async def validate_resource(self, resource: Mapping[str, Any]) -> Resource:
        """POST `{type}/$validate`: the server's OperationOutcome (an invalid one raises)."""
        return await self._run(self._validate(resource))

    async def value_set_expand(self, params: Query) -> Resource:
        """GET `ValueSet/$expand` with `params` (`url`, `filter`, `count`...): the ValueSet."""
        return await self._run(self._value_set_expand(params))

    async def graphql(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> Any:
        """POST a GraphQL query to `fhir/R4/$graphql`; the answer (`{"data": ...}`)."""
        return await self._run(self._graphql(query, operation_name, variables))

    async def push_to_agent(
        self,
        agent: Mapping[str, Any] | str,
        destination: Mapping[str, Any] | str,
        body: Any,
        content_type: str | None = None,
        wait_for_response: bool | None = None,
        *,
        wait_timeout: int | None = None,
    ) -> Any:
        """POST `Agent/{id}/$push`: send `body` to `destination` (a Device/Endpoint, its
        Reference, or a reference string) through an Agent; the Agent's answer if waited for."""
        return await self._run(
            self._push_to_agent(
                agent, destination, body, content_type, wait_for_response, wait_timeout
            )
        )

    async def send_email(self, email: Mapping[str, Any]) -> Resource:
        """POST `email/v1/send` (`to`, `cc`, `subject`, `text`, `html`, `attachments`...)."""
        return await self._run(self._send_email(email))

    # -- the session: GET auth/me once per token, as @medplum/core's sessionDetails -----------

    async def get_session(self) -> dict[str, Any]:
        """`auth/me` (profile, project, membership, config, accessPolicy), fetched once per
        token and kept until the token changes."""
        session = self._session
        if session is None:
            async with self._session_lock:  # concurrent callers share one request
                if self._session is None:
                    self._session = await self._run(self._auth_me())
                session = self._session
        return session or {}

    async def get_profile(self) -> Resource | None:
        """The Practitioner, Patient, Bot or ClientApplication this login acts as."""
        return (await self.get_session()).get("profile")

    async def get_project(self) -> Resource | None:
        """The Project of this login."""
        return (await self.get_session()).get("project")

    async def get_project_membership(self) -> Resource | None:
        """The ProjectMembership of this login."""
        return (await self.get_session()).get("membership")

    async def get_user_configuration(self) -> Resource | None:
        """The UserConfiguration of this login."""
        return (await self.get_session()).get("config")

    async def get_access_policy(self) -> Resource | None:
        """The AccessPolicy that applies to this login."""
        return (await self.get_session()).get("accessPolicy")

    async def is_project_admin(self) -> bool:
        """True when this login's membership is a project admin."""
        return bool((await self.get_project_membership() or {}).get("admin"))

    async def is_super_admin(self) -> bool:
        """True when this login's project is the super admin project."""
        return bool((await self.get_project() or {}).get("superAdmin"))

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

    async def patch(self, path: str, operations: Sequence[Mapping[str, Any]]) -> Any:
        """PATCH a path with JSON Patch `operations`."""
        return await self._run(
            self._raw("PATCH", path, body=[dict(o) for o in operations], content_type=JSON_PATCH)
        )

    async def put(self, path: str, body: Any, content_type: str | None = None) -> Any:
        """PUT `body` (JSON unless bytes/str)."""
        return await self._run(self._raw("PUT", path, body=body, content_type=content_type))

    async def delete(self, path: str) -> Any:
        """DELETE a path."""
        return await self._run(self._raw("DELETE", path))
