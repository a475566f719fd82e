"""The Medplum client a bot is handed: `MedplumClient` (sync) and `AsyncMedplumClient` (async).

Both mirror the bot-facing calls of `@medplum/core`'s `MedplumClient` in snake_case. Every
call is first described as a `Call` (method, URL, body, how to turn the answer into the
result); the two classes only differ in how they send it, so URL building, headers, error
mapping, login and retry decisions live once in `_ClientCore`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

from medplum_bots.client.network import plain_reason
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.errors import CredentialsError, NetworkError, OperationOutcomeError, outcome
from medplum_bots.redaction import redact, redact_json
from medplum_bots.urls import normalize_base_url

DEFAULT_BASE_URL = "https://api.medplum.com/"
FHIR_JSON = "application/fhir+json"
JSON_PATCH = "application/json-patch+json"
FORM = "application/x-www-form-urlencoded"
ACCEPT_ANY = "application/fhir+json, */*;q=0.1"
JSON = "application/json"
XML = "text/xml"
CDA_XML = "application/cda+xml"

Resource = dict[str, Any]
Bundle = dict[str, Any]
# A search query: {"name": "Smith", "code": ["a", "b"]}, [("name", "Smith")] or "name=Smith".
Query = Mapping[str, Any] | Sequence[tuple[str, Any]] | str | None
# A Binary's security context: a Reference (`{"reference": "Patient/1"}`) or its string.
SecurityContext = Mapping[str, Any] | str | None

T = TypeVar("T")
U = TypeVar("U")
# A resource given to create/update: the answer has its type (`Patient` in, `Patient` out).
R = TypeVar("R", bound=Mapping[str, Any])

_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]{1,63}$")
_RESOURCE_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# A token is refreshed this long before the server says it expires (clock drift, slow calls).
_MAX_EXPIRY_SKEW = 60.0
_STATUS_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    410: "deleted",
    412: "conflict",
    422: "processing",
    429: "throttled",
}


def _identity(value: Any) -> Any:
    return value


def now_iso() -> str:
    """The time now as JavaScript's `new Date().toISOString()` writes it (ms, `Z`)."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP exchange with Medplum and how its decoded answer becomes the result."""

    method: str
    url: str
    finish: Callable[[Any], T]
    params: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = False
    authenticated: bool = True
    raw: bool = False  # finish gets the answer's bytes, not decoded JSON/text

    def then(self, step: Callable[[T], U]) -> Call[U]:
        """The same exchange with `step` applied to its result."""
        first = self.finish
        return Call(
            method=self.method,
            url=self.url,
            finish=lambda body: step(first(body)),
            params=self.params,
            content=self.content,
            headers=self.headers,
            idempotent=self.idempotent,
            authenticated=self.authenticated,
            raw=self.raw,
        )


@dataclass(frozen=True)
class _Step:
    """What to do after one attempt: finish with `value`, wait and retry, or log in again."""

    value: Any = None
    wait: float | None = None
    relogin: bool = False


def query_pairs(query: Query) -> list[tuple[str, str]]:
    """Normalise a search query to (name, value) pairs; list values repeat the parameter."""
    if query is None:
        return []
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((str(name), _query_value(v)) for v in values if v is not None)
    return pairs


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def bundle_resources(bundle: Any) -> list[Resource]:
    """The resources of a search Bundle's entries, in order."""
    if not isinstance(bundle, dict):
        return []
    return [
        e["resource"] for e in bundle.get("entry") or [] if isinstance(e, dict) and "resource" in e
    ]


def next_link(bundle: Any) -> str | None:
    """The URL of the Bundle's `next` page, if any."""
    if not isinstance(bundle, dict):
        return None
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next" and link.get("url"):
            return str(link["url"])
    return None


def _client_error(text: str) -> OperationOutcomeError:
    return OperationOutcomeError(outcome("error", "invalid", text))


def _check_type(resource_type: Any) -> str:
    if not isinstance(resource_type, str) or not _RESOURCE_TYPE.match(resource_type):
        raise _client_error(f"Invalid resource type: {resource_type!r}")
    return resource_type


def _check_id(resource_id: Any) -> str:
    if not isinstance(resource_id, str) or not _RESOURCE_ID.match(resource_id):
        raise _client_error(f"Invalid resource id: {resource_id!r}")
    return resource_id


def _is_json(content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def encode_body(body: Any, content_type: str | None) -> tuple[bytes | None, str | None]:
    """Bytes to send and their Content-Type: bytes/str as given, anything else as JSON."""
    if body is None:
        return None, content_type
    if isinstance(body, bytes | bytearray):
        return bytes(body), content_type or "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain"
    if content_type == FORM and isinstance(body, Mapping):
        return urlencode(query_pairs(body)).encode(), FORM
    return json.dumps(body, separators=(",", ":")).encode(), content_type or FHIR_JSON


def decode_body(response: httpx.Response) -> Any:
    """The answer as JSON when the server says it is JSON, else as text (None when empty)."""
    if not response.content:
        return None
    if _is_json(response.headers.get("content-type", "")):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def error_outcome(response: httpx.Response) -> dict[str, Any]:
    """The server's OperationOutcome, or one synthesized from a non-FHIR error answer."""
    body = decode_body(response)
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        return body
    code = _STATUS_CODES.get(response.status_code, "exception")
    if isinstance(body, dict) and ("error" in body or "error_description" in body):
        # OAuth errors: {"error": "invalid_client", "error_description": "Invalid secret"}
        text = str(body.get("error_description") or body.get("error"))
    elif isinstance(body, str) and body.strip():
        text = " ".join(body.split())[:300]
    else:
        text = response.reason_phrase or f"HTTP {response.status_code}"
    return outcome("error", code, text)


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - raises RuntimeError when the error has no request
    except RuntimeError:
        return False
    return True


class _ClientCore:
    """State and request descriptions shared by the sync and async clients."""

    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        base_url: str,
        *,
        access_token: str | None,
        client_id: str | None,
        client_secret: str | None,
        trace_id: str | None,
        retry: RetryPolicy | None,
        budget: float | None = None,
    ) -> None:
        try:
            self._base_url = normalize_base_url(base_url or "")
        except ValueError:
            raise CredentialsError(
                f"Medplum base URL must be an absolute http(s) URL: {base_url!r}"
            ) from None
        parts = urlsplit(self._base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._access_token = access_token or None
        self._expires_at: float | None = None
        self._client_id = client_id or None
        self._client_secret = client_secret or None
        self._trace_id = trace_id or None
        self._retry = retry or RetryPolicy()
        if budget is not None and budget <= 0:
            raise ValueError(f"budget must be positive seconds, got {budget}")
        # Seconds one call may take, every attempt and wait included (None: retries only).
        self._budget = budget
        # GET auth/me's answer (profile, project, membership...), kept until the token changes.
        self._session: dict[str, Any] | None = None

    def __repr__(self) -> str:
        # Never show the token or the secret.
        state = "with token" if self._access_token else "no token"
        return f"{type(self).__name__}({self._base_url!r}, {state})"

    # -- plain accessors ---------------------------------------------------------------------

    def get_base_url(self) -> str:
        """The Medplum base URL, always ending with '/'."""
        return self._base_url

    def fhir_url(self, *parts: str) -> str:
        """`{base}fhir/R4/` joined with `parts`, e.g. `fhir_url("Patient", "1")`."""
        tail = "/".join(str(p).strip("/") for p in parts if str(p).strip("/"))
        return f"{self._base_url}fhir/R4/{tail}"

    def get_access_token(self) -> str | None:
        """The bearer token in use, if any."""
        return self._access_token

    def set_access_token(self, token: str) -> None:
        """Use `token` for the following calls (no expiry known: refreshed only on a 401)."""
        self._access_token = token or None
        self._expires_at = None
        self._forget_session()

    @property
    def trace_id(self) -> str | None:
        """The trace id sent as `X-Trace-Id` and `traceparent`, if any."""
        return self._trace_id

    # -- login state -------------------------------------------------------------------------

    def _can_login(self) -> bool:
        return bool(self._client_id and self._client_secret)

    def _needs_login(self) -> bool:
        if not self._can_login():
            return False
        if self._access_token is None:
            return True
        return self._expires_at is not None and time.monotonic() >= self._expires_at

    def _login_call(self, client_id: str | None, client_secret: str | None) -> Call[dict[str, Any]]:
        if client_id:
            self._client_id = client_id
        if client_secret:
            self._client_secret = client_secret
        if not self._can_login():
            raise CredentialsError("client credentials login needs a client_id and a client_secret")
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        return Call(
            "POST",
            self._base_url + "oauth2/token",
            self._accept_token,
            content=urlencode(form).encode(),
            headers={"Content-Type": FORM, "Accept": "application/json"},
            idempotent=True,  # asking twice only yields two tokens
            authenticated=False,
        )

    def _accept_token(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise OperationOutcomeError(
                outcome("error", "login", "Token response has no access_token")
            )
        self._access_token = body["access_token"]
        self._forget_session()
        expires_in = body.get("expires_in")
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            skew = min(_MAX_EXPIRY_SKEW, expires_in * 0.1)
            self._expires_at = time.monotonic() + expires_in - skew
        else:
            self._expires_at = None
        return body

    # -- sending helpers ---------------------------------------------------------------------

    def _resolve(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self._base_url, path.lstrip("/"))

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower() == self._origin

    def _build(
        self, call: Call[Any], token: str | None, started: float | None = None
    ) -> httpx.Request:
        headers = {"Accept": FHIR_JSON, **call.headers}
        # The token only goes to the Medplum server itself, never to a foreign absolute URL.
        if call.authenticated and token and self._same_origin(call.url):
            headers["Authorization"] = f"Bearer {token}"
        if self._trace_id:
            headers["X-Trace-Id"] = self._trace_id
            headers["traceparent"] = self._trace_id
        request = self._http.build_request(
            call.method,
            call.url,
            params=list(call.params) or None,
            headers=headers,
            content=call.content,
        )
        if started is not None and self._budget is not None:
            # No single attempt may outlast what is left of the call's budget.
            left = max(0.001, self._budget - (time.monotonic() - started))
            limits = request.extensions.get("timeout") or {}
            request.extensions["timeout"] = {
                k: left if v is None else min(v, left)
                for k, v in {
                    **dict.fromkeys(("connect", "read", "write", "pool")),
                    **limits,
                }.items()
            }
        return request

    def _fits(self, started: float | None, wait: float | None) -> float | None:
        """`wait` when another attempt after it still fits in the budget, else None."""
        if wait is None or started is None or self._budget is None:
            return wait
        return wait if time.monotonic() - started + wait < self._budget else None

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._access_token, self._client_secret)

    def _judge(
        self,
        call: Call[Any],
        response: httpx.Response,
        attempt: int,
        relogged: bool,
        started: float | None = None,
    ) -> _Step:
        """Decide what an answer means: a result, a retry after a wait, or a fresh login."""
        status = response.status_code
        if status < 400:
            return _Step(value=response.content if call.raw else decode_body(response))
        if status == 401 and call.authenticated and not relogged and self._can_login():
            return _Step(relogin=True)
        wait = self._retry.next_delay(
            attempt,
            call.method,
            call.idempotent,
            status=status,
            retry_after=response.headers.get("retry-after"),
        )
        wait = self._fits(started, wait)
        if wait is not None:
            return _Step(wait=wait)
        raise OperationOutcomeError(redact_json(error_outcome(response), self._secrets()), status)

    def _wait_after_error(
        self,
        call: Call[Any],
        attempt: int,
        error: httpx.TransportError,
        started: float | None = None,
    ) -> float:
        """The wait before retrying a transport failure, or raise it as a NetworkError."""
        wait = self._fits(
            started, self._retry.next_delay(attempt, call.method, call.idempotent, error=error)
        )
        if wait is not None:
            return wait
        parts = urlsplit(call.url)  # the query may hold patient data: leave it out
        where = f"{call.method} {parts.scheme}://{parts.netloc}{parts.path}"
        limits = error.request.extensions.get("timeout") if _has_request(error) else None
        given = max((v for v in (limits or {}).values() if v is not None), default=None)
        reason = plain_reason(error, call.url, given).replace("\n", " ")
        seconds = time.monotonic() - started if started is not None else 0.0
        raise NetworkError(where, redact(reason, self._secrets()), attempt, seconds) from error

    # -- call descriptions -------------------------------------------------------------------

    def _fhir(
        self,
        method: str,
        path: str,
        finish: Callable[[Any], T],
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> Call[T]:
        content, ctype = encode_body(body, content_type)
        all_headers = dict(headers or {})
        if ctype and content is not None:
            all_headers["Content-Type"] = ctype
        return Call(
            method,
            self.fhir_url(path),
            finish,
            params=tuple(params),
            content=content,
            headers=all_headers,
            idempotent=idempotent,
        )

    def _read(self, resource_type: str, resource_id: str) -> Call[Resource]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}"
        return self._fhir("GET", path, _identity)

    def _read_version(
        self, resource_type: str, resource_id: str, version_id: str
    ) -> Call[Resource]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}/_history"
        return self._fhir("GET", f"{path}/{_check_id(version_id)}", _identity)

    def _read_history(self, resource_type: str, resource_id: str) -> Call[Bundle]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}/_history"
        return self._fhir("GET", path, _identity)

    def _read_reference(self, reference: Mapping[str, Any] | str) -> Call[Resource]:
        text = reference if isinstance(reference, str) else reference.get("reference")
        if not text:
            raise _client_error("Missing reference")
        parts = str(text).split("/")
        if len(parts) == 2:
            return self._read(parts[0], parts[1])
        if len(parts) == 4 and parts[2] == "_history":
            return self._read_version(parts[0], parts[1], parts[3])
        raise _client_error(f"Invalid reference: {text!r}")

    def _create(
        self, resource: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> Call[Resource]:
        resource_type = resource.get("resourceType")
        if not resource_type:
            raise _client_error("Missing resourceType")
        return self._fhir(
            "POST",
            _check_type(resource_type),
            _identity,
            body=resource,
            headers=headers,
            idempotent=headers is not None,  # conditional create cannot create twice
        )

    def _create_if_none_exist(self, resource: Mapping[str, Any], query: Query) -> Call[Resource]:
        condition = urlencode(query_pairs(query))
        if not condition:
            raise _client_error("create_resource_if_none_exist needs a search query")
        return self._create(resource, {"If-None-Exist": condition})

    def _update(self, resource: Mapping[str, Any]) -> Call[Resource]:
        resource_type = resource.get("resourceType")
        if not resource_type:
            raise _client_error("Missing resourceType")
        if not resource.get("id"):
            raise _client_error("Missing id")
        path = f"{_check_type(resource_type)}/{_check_id(resource['id'])}"
        # A 304 "not modified" answer has no body: the resource is unchanged.
        return self._fhir(
            "PUT", path, lambda body: body if body is not None else dict(resource), body=resource
        )

    def _patch(
        self,
        resource_type: str,
        resource_id: str,
        operations: Sequence[Mapping[str, Any]],
        idempotent: bool = False,
    ) -> Call[Resource]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}"
        return self._fhir(
            "PATCH",
            path,
            _identity,
            body=list(operations),
            content_type=JSON_PATCH,
            idempotent=idempotent,
        )

    def _delete_resource(self, resource_type: str, resource_id: str) -> Call[Any]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}"
        return self._fhir("DELETE", path, _identity)

    def _search(self, resource_type: str, query: Query, finish: Callable[[Any], T]) -> Call[T]:
        return self._fhir("GET", _check_type(resource_type), finish, params=query_pairs(query))

    def _search_one(self, resource_type: str, query: Query) -> Call[Resource | None]:
        pairs = [(k, v) for k, v in query_pairs(query) if k != "_count"] + [("_count", "1")]
        return self._search(
            resource_type, pairs, lambda bundle: next(iter(bundle_resources(bundle)), None)
        )

    def _next_page(self, bundle: Any) -> Call[Bundle] | None:
        url = next_link(bundle)
        return Call("GET", url, _identity) if url else None

    def _execute_bot(self, bot: str | Mapping[str, Any], data: Any, content_type: str) -> Call[Any]:
        params: list[tuple[str, str]] = []
        if isinstance(bot, str):
            path = f"Bot/{_check_id(bot)}/$execute"
        elif bot.get("system") is not None or bot.get("value") is not None:
            path = "Bot/$execute"
            params.append(("identifier", f"{bot.get('system') or ''}|{bot.get('value') or ''}"))
        else:
            raise _client_error("execute_bot needs a Bot id or an Identifier {system, value}")
        if _is_json(content_type) and not isinstance(data, str | bytes):
            body: Any = json.dumps(data, separators=(",", ":"))
        else:
            body = data
        call = self._fhir(
            "POST", path, _identity, params=params, body=body, content_type=content_type
        )
        return replace(call, headers={"Accept": ACCEPT_ANY, **call.headers})

    def _create_binary(
        self,
        data: bytes | str,
        content_type: str,
        filename: str | None,
        security_context: SecurityContext = None,
    ) -> Call[Resource]:
        if not content_type:
            raise _client_error("create_binary needs a content type")
        raw = data.encode() if isinstance(data, str) else bytes(data)
        params = [("_filename", filename)] if filename else []
        context = (
            security_context
            if isinstance(security_context, str) or security_context is None
            else security_context.get("reference")
        )
        headers = {"X-Security-Context": str(context)} if context else None
        # Uploading the same bytes twice only leaves an unused Binary behind: safe to retry.
        return self._fhir(
            "POST",
            "Binary",
            _identity,
            params=params,
            body=raw,
            content_type=content_type,
            headers=headers,
            idempotent=True,
        )

    # -- calls beyond CRUD (same URLs, bodies and headers as @medplum/core 4.x) ---------------

    def _execute_batch(self, bundle: Mapping[str, Any]) -> Call[Bundle]:
        # executeBatch posts to the FHIR base URL itself, `{base}fhir/R4` without a slash.
        # Not retried: a batch may create.
        call = self._fhir("POST", "", _identity, body=dict(bundle))
        return replace(call, url=call.url.rstrip("/"))

    def _upsert(self, resource: Mapping[str, Any], query: Query) -> Call[Resource]:
        resource_type = resource.get("resourceType")
        if not resource_type:
            raise _client_error("Missing resourceType")
        pairs = query_pairs(query)
        if not pairs:
            raise _client_error("upsert_resource needs a search query")
        # A 304 "not modified" answer has no body: the input is the answer (as upsertResource).
        return self._fhir(
            "PUT",
            _check_type(resource_type),
            lambda body: body if body is not None else dict(resource),
            params=pairs,
            body=resource,
        )

    def _patient_everything(self, patient_id: str) -> Call[Bundle]:
        return self._fhir("GET", f"Patient/{_check_id(patient_id)}/$everything", _identity)

    def _patient_summary(self, patient_id: str) -> Call[Bundle]:
        return self._fhir("GET", f"Patient/{_check_id(patient_id)}/$summary", _identity)

    def _resource_graph(self, resource_type: str, resource_id: str, graph: str) -> Call[Bundle]:
        path = f"{_check_type(resource_type)}/{_check_id(resource_id)}/$graph"
        return self._fhir("GET", path, _identity, params=[("graph", graph)])

    def _invite(self, project_id: str, body: Mapping[str, Any]) -> Call[Resource]:
        return self._raw("POST", f"admin/projects/{_check_id(project_id)}/invite", body=dict(body))

    def _document_reference(
        self, content_type: str, additional_fields: Mapping[str, Any] | None
    ) -> Resource:
        return {
            "resourceType": "DocumentReference",
            "status": "current",
            "content": [{"attachment": {"contentType": content_type}}],
            **(additional_fields or {}),
        }

    def _validate(self, resource: Mapping[str, Any]) -> Call[Resource]:
        resource_type = resource.get("resourceType")
        if not resource_type:
            raise _client_error("Missing resourceType")
        path = f"{_check_type(resource_type)}/$validate"
        return self._fhir("POST", path, _identity, body=resource, idempotent=True)

    def _value_set_expand(self, params: Query) -> Call[Resource]:
        return self._fhir("GET", "ValueSet/$expand", _identity, params=query_pairs(params))

    def _graphql(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> Call[Any]:
        body: dict[str, Any] = {"query": query}
        if operation_name is not None:
            body["operationName"] = operation_name
        if variables is not None:
            body["variables"] = dict(variables)
        # A GraphQL query may be a mutation: retried only after a connection failure.
        return self._fhir("POST", "$graphql", _identity, body=body, content_type=JSON)

    def _push_to_agent(
        self,
        agent: Mapping[str, Any] | str,
        destination: Mapping[str, Any] | str,
        body: Any,
        content_type: str | None,
        wait_for_response: bool | None,
        wait_timeout: int | None,
    ) -> Call[Any]:
        from medplum_bots.utils.references import get_reference_string, resolve_id

        agent_id = agent if isinstance(agent, str) else resolve_id(dict(agent))
        target = destination if isinstance(destination, str) else dict(destination)
        payload: dict[str, Any] = {
            "destination": target if isinstance(target, str) else get_reference_string(target),
            "body": body,
        }
        if content_type is not None:
            payload["contentType"] = content_type
        if wait_for_response is not None:
            payload["waitForResponse"] = wait_for_response
        if wait_timeout is not None:
            payload["waitTimeout"] = wait_timeout
        call = self._fhir("POST", f"Agent/{_check_id(agent_id)}/$push", _identity, body=payload)
        return replace(call, headers={"Accept": ACCEPT_ANY, **call.headers})

    def _send_email(self, email: Mapping[str, Any]) -> Call[Resource]:
        return self._raw("POST", "email/v1/send", body=dict(email), content_type=JSON)

    def _auth_me(self) -> Call[dict[str, Any]]:
        return replace(self._raw("GET", "auth/me"), idempotent=True)

    def _download(self, url: str) -> Call[bytes]:
        # download() resolves `Binary/<id>` against the FHIR base, anything else like get().
        target = self.fhir_url(url) if url.startswith("Binary/") else self._resolve(url)
        return Call("GET", target, _identity, headers={"Accept": "*/*"}, idempotent=True, raw=True)

    def _read_canonical(self, resource_type: str, url: str) -> Call[Resource | None]:
        canonical, _, version = url.partition("|")
        query = [("url", canonical), *([("version", version)] if version else [])]
        return self._search_one(resource_type, query)

    def _media_resource(
        self, content_type: str, additional_fields: Mapping[str, Any] | None
    ) -> Resource:
        return {
            "resourceType": "Media",
            "status": "preparation",
            "content": {"contentType": content_type},
            **(additional_fields or {}),
        }

    # -- the session (auth/me), cached as @medplum/core caches its sessionDetails -------------

    def _forget_session(self) -> None:
        self._session = None

    def _raw(
        self,
        method: str,
        path: str,
        *,
        params: Query = None,
        body: Any = None,
        content_type: str | None = None,
        idempotent: bool = False,
    ) -> Call[Any]:
        content, ctype = encode_body(body, content_type)
        headers = {"Accept": ACCEPT_ANY}
        if ctype and content is not None:
            headers["Content-Type"] = ctype
        return Call(
            method,
            self._resolve(path),
            _identity,
            params=tuple(query_pairs(params)),
            content=content,
            headers=headers,
            idempotent=idempotent,
        )


def attachment_of(
    binary: Mapping[str, Any], content_type: str, filename: str | None
) -> dict[str, Any]:
    """The Attachment createAttachment returns for an uploaded Binary: `url` is `Binary/<id>`.

    @medplum/core returns the Binary's presigned download `url`; Medplum rewrites such URLs
    to `Binary/<id>` whenever a resource holding them is stored, so the stored result is the
    same, and `Binary/<id>` does not expire (`download` accepts it; the presigned URL stays
    on `create_binary`'s answer).
    """
    result: dict[str, Any] = {"contentType": content_type, "url": f"Binary/{binary['id']}"}
    if filename:
        result["title"] = filename
    return result


def attachment_content_type(data: bytes | str, content_type: str) -> str:
    """createAttachment's one rewrite: `text/xml` holding a C-CDA document is CDA XML."""
    if content_type != XML:
        return content_type
    text = data if isinstance(data, str) else bytes(data).decode("utf-8", errors="replace")
    if "<ClinicalDocument" in text and "urn:hl7-org:v3" in text:
        return CDA_XML
    return content_type


def reference_to(resource: Mapping[str, Any]) -> dict[str, Any]:
    """@medplum/core's createReference: `{"reference": "Type/<id>", "display": ...}`."""
    # Imported here: a bot that never makes a reference does not load the utilities.
    from medplum_bots.utils.references import create_reference

    reference: dict[str, Any] = dict(create_reference(dict(resource)))
    return reference


def comment_of(
    resource: Mapping[str, Any], text: str, profile: Mapping[str, Any] | None, sent: str
) -> dict[str, Any]:
    """The Communication createComment creates for `text` about `resource`."""
    kind = resource.get("resourceType")
    encounter: Any = None
    subject: Any = None
    if kind == "Encounter":
        encounter, subject = reference_to(resource), resource.get("subject")
    elif kind == "ServiceRequest":
        encounter, subject = resource.get("encounter"), resource.get("subject")
    elif kind == "Patient":
        subject = reference_to(resource)
    communication: dict[str, Any] = {
        "resourceType": "Communication",
        "status": "completed",
        "basedOn": [reference_to(resource)],
        "encounter": encounter,
        "subject": subject,
        "sender": reference_to(profile) if profile else None,
        "sent": sent,
        "payload": [{"contentString": text}],
    }
    return {k: v for k, v in communication.items() if v is not None}
