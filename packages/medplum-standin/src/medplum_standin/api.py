"""The stand-in's HTTP API: OAuth token, `auth/me`, admin bot creation, `$deploy`,
`$execute`; the rest of FHIR REST (CRUD, conditional interactions, history, search, Bundles,
Binary) is handed to the caller's project engine (`medplum_bots.testing.inmemory`).
Transport-free: `Api.handle(Request) -> Reply`."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import httpx
from medplum_bots.errors import outcome
from medplum_bots.testing.inmemory import FhirError
from medplum_bots.testing.search import SearchError, parse_search

from medplum_standin import outcomes
from medplum_standin.bots import Execution
from medplum_standin.projects import Resource

if TYPE_CHECKING:
    from medplum_standin.server import MedplumStandIn, Token

FHIR_JSON = "application/fhir+json"
JSON = "application/json"
_MIRRORED_CONTENT_TYPES = ("text/plain", "x-application/hl7-v2+er7")
LAMBDA_CONFLICT = (
    "The operation cannot be performed at this time. An update is in progress for resource: "
    "arn:aws:lambda:us-east-1:123456789012:function:medplum-bot-lambda-{id}"
)
MAX_LAMBDA_TIMEOUT = 900
# Headers of the HTTP hop, not of the request the engine answers.
_HOP_HEADERS = ("host", "content-length", "transfer-encoding", "connection", "authorization")
_ID = r"[A-Za-z0-9\-.]{1,64}"
_ADMIN_ONLY = re.compile(r"/fhir/R4/(Project|ProjectMembership)(/|$)")


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request (header names lower-case)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters (`application/json; charset=utf-8` -> ...)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON (400 when it is not)."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise outcomes.bad_request("Invalid JSON body") from None


@dataclass
class Reply:
    """One HTTP answer."""

    status: int
    body: bytes = b""
    content_type: str = FHIR_JSON
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def of_json(status: int, value: Any, content_type: str = FHIR_JSON, **headers: str) -> Reply:
        """A JSON answer."""
        return Reply(status, json.dumps(value).encode(), content_type, dict(headers))


Handler = Callable[["Api", Request, re.Match[str]], Reply]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for `method` and a full-match path pattern."""

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(pattern), handler))
        return handler

    return register


class Api:
    """Request handling; all state lives in the `MedplumStandIn` it serves."""

    def __init__(self, host: MedplumStandIn) -> None:
        self.host = host

    def handle(self, request: Request) -> Reply:
        """Route a request; every failure becomes an OperationOutcome answer."""
        try:
            allowed = False
            for method, pattern, handler in _ROUTES:
                found = pattern.fullmatch(request.path)
                if found is None:
                    continue
                allowed = True
                if method == request.method:
                    return handler(self, request, found)
            if allowed:
                raise FhirError(405, "not-supported", "Method not allowed")
            raise outcomes.not_found()
        except FhirError as error:
            return Reply.of_json(error.status, error.outcome)

    # -- helpers ------------------------------------------------------------------------
    def token(self, request: Request) -> Token:
        """The caller's valid token (401 otherwise)."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            raise outcomes.unauthorized()
        token = self.host.lookup_token(header.removeprefix("Bearer ").strip())
        if token is None:
            raise outcomes.unauthorized()
        return token

    def read(self, resource_type: str, id: str, project_id: str) -> Resource:
        """Read in the caller's project (404 / 410)."""
        return self.host.store.read(resource_type, id, project_id)

    def binary_json(self, binary: Resource) -> Resource:
        """A Binary as JSON, with a (pretend presigned) download URL."""
        shown = {k: v for k, v in binary.items() if k != "data"}
        return {**shown, "url": f"{self.host.base_url}storage/{binary['id']}"}


# -- OAuth ----------------------------------------------------------------------------------
@route("POST", r"/oauth2/token")
def _token(api: Api, request: Request, _: re.Match[str]) -> Reply:
    # Medplum answers token errors with 400 and an OAuth error body (not an OperationOutcome).
    if request.content_type != "application/x-www-form-urlencoded":
        return Reply(400, b"Unsupported content type", "text/plain")
    form = dict(parse_qsl(request.body.decode(errors="replace")))
    if not form.get("grant_type"):
        return _token_error("Missing grant_type")
    if form["grant_type"] != "client_credentials":
        return _token_error("Unsupported grant_type")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    auth = request.headers.get("authorization", "")
    if auth.startswith("Basic "):
        decoded = base64.b64decode(auth.removeprefix("Basic ")).decode(errors="replace")
        client_id, _colon, secret = decoded.partition(":")
    if not client_id:
        return _token_error("Missing client_id")
    if not secret:
        return _token_error("Missing client_secret")
    client = api.host.clients.get(client_id)
    if client is None:
        return _token_error("Invalid client")
    if client.secret != secret:
        return _token_error("Invalid secret")
    token_text, token = api.host.issue_client_token(client)
    return Reply.of_json(
        200,
        {
            "token_type": "Bearer",
            "expires_in": client.token_ttl,
            "scope": form.get("scope", "openid"),
            "access_token": token_text,
            "project": {"reference": f"Project/{token.project_id}"},
            "profile": {"reference": token.profile},
        },
        JSON,
    )


@route("GET", r"/auth/me")
def _auth_me(api: Api, request: Request, _: re.Match[str]) -> Reply:
    # What Medplum's clients read after a login: who the token is for, in which project.
    token = api.token(request)
    profile_type, _slash, profile_id = token.profile.partition("/")
    project = {"resourceType": "Project", "id": token.project_id}
    membership = {
        "resourceType": "ProjectMembership",
        "project": {"reference": f"Project/{token.project_id}"},
        "profile": {"reference": token.profile},
        "admin": token.admin,
    }
    profile = {"resourceType": profile_type, "id": profile_id}
    return Reply.of_json(
        200, {"project": project, "membership": membership, "profile": profile}, JSON
    )


def _token_error(description: str) -> Reply:
    return Reply.of_json(400, {"error": "invalid_request", "error_description": description}, JSON)


# -- admin ------------------------------------------------------------------------------
@route("POST", rf"/admin/projects/({_ID})/bot")
def _admin_create_bot(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    project_id = found.group(1)
    if token.project_id != project_id or not token.admin:
        raise outcomes.forbidden()
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise outcomes.bad_request("Bot name is required")
    unknown = set(body) - {"name", "description", "runtimeVersion", "accessPolicy"}
    if unknown:
        raise outcomes.bad_request(f"Unknown field(s): {', '.join(sorted(unknown))}")
    bot: Resource = {
        "resourceType": "Bot",
        "name": body["name"],
        "runtimeVersion": body.get("runtimeVersion") or "awslambda",
    }
    if body.get("description"):
        bot["description"] = body["description"]
    store = api.host.store
    bot = store.create(bot, project_id, token.profile)
    membership: Resource = {
        "resourceType": "ProjectMembership",
        "project": {"reference": f"Project/{project_id}"},
        "user": {"reference": f"Bot/{bot['id']}", "display": bot["name"]},
        "profile": {"reference": f"Bot/{bot['id']}", "display": bot["name"]},
    }
    store.create(membership, project_id, token.profile)
    return Reply.of_json(201, bot)


# -- Bot operations -------------------------------------------------------------------------
@route("POST", rf"/fhir/R4/Bot/({_ID})/\$deploy")
def _deploy(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    body = request.json()
    code = body.get("code") if isinstance(body, dict) else None
    if not code:
        raise outcomes.bad_request("Missing code")
    bot = api.read("Bot", found.group(1), token.project_id)
    filename = body.get("filename") or "index.js"
    content = base64.b64encode(str(code).encode()).decode()
    store = api.host.store
    binary = store.create(
        {"resourceType": "Binary", "contentType": "text/javascript", "data": content},
        token.project_id,
        token.profile,
    )
    bot["executableCode"] = {
        "contentType": "text/javascript",
        "url": f"Binary/{binary['id']}",
        "title": filename,
    }
    bot = store.update(bot, token.project_id, token.profile)
    if bot.get("runtimeVersion") == "awslambda":
        if int(bot.get("timeout") or 0) > MAX_LAMBDA_TIMEOUT:
            raise outcomes.bad_request("Bot timeout exceeds allowed maximum of 900 seconds")
        # Medplum updates the Bot first, then the Lambda: a Lambda failure leaves the new
        # executableCode in place while the old code keeps running.
        if api.host.take_deploy_conflict():
            raise outcomes.bad_request(LAMBDA_CONFLICT.format(id=bot["id"]))
        api.host.lambda_code[bot["id"]] = binary["id"]
    return Reply.of_json(200, outcomes.ALL_OK)


@route("GET", rf"/fhir/R4/Bot/({_ID})/\$execute")
@route("POST", rf"/fhir/R4/Bot/({_ID})/\$execute")
@route("GET", r"/fhir/R4/Bot/\$execute")
@route("POST", r"/fhir/R4/Bot/\$execute")
def _execute(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    bot_id = found.group(1) if found.groups() else None
    if bot_id is not None:
        bot = api.read("Bot", bot_id, token.project_id)
    else:
        identifier = dict(request.query).get("identifier")
        if not identifier:
            raise outcomes.bad_request("Must specify bot ID or identifier.")
        bot = _bot_by_identifier(api, token.project_id, identifier)
    content_type = request.content_type
    if request.method == "GET":
        input: Any = dict(request.query)  # Medplum passes `req.query` as the input
    elif content_type in (JSON, FHIR_JSON):
        input = request.json()
    else:
        input = request.body.decode(errors="replace")
    # Without a membership of its own the Bot runs as the caller (Medplum's fallback).
    own = f"Bot/{bot['id']}"
    run_as = own if api.host.has_membership(token.project_id, own) else token.profile
    execution = api.host.runner.execute(
        bot,
        input,
        request.headers.get("content-type", ""),
        requester={"reference": token.profile},
        headers=dict(request.headers),
        trace_id=request.headers.get("x-trace-id") or request.headers.get("traceparent"),
        run_as=run_as,
    )
    return _execution_reply(execution, content_type)


def _bot_by_identifier(api: Api, project_id: str, identifier: str) -> Resource:
    engine = api.host.store.engine(project_id)
    try:
        hits = parse_search("Bot", [("identifier", identifier)]).run(engine)
    except SearchError as error:
        raise outcomes.bad_request(str(error)) from None
    if not hits:
        raise outcomes.not_found()
    return engine.read("Bot", hits[0]["id"])


def _execution_reply(execution: Execution, content_type: str) -> Reply:
    """Medplum's answer: the return value (numbers as strings), else an OperationOutcome."""
    status = 200 if execution.success else 400
    answer_type = content_type if content_type in _MIRRORED_CONTENT_TYPES else JSON
    if not execution.has_value:
        body = outcomes.ALL_OK if execution.success else outcome("error", "invalid", execution.log)
        return Reply.of_json(status, body, answer_type)
    value = execution.value
    if isinstance(value, bool):
        return Reply.of_json(status, value, answer_type)
    if isinstance(value, int | float):
        return Reply(status, str(value).encode(), answer_type)
    if isinstance(value, str):
        # Express sends a string body as is, whatever the content type.
        return Reply(status, value.encode(), answer_type)
    return Reply.of_json(status, value, answer_type)


# -- storage and FHIR REST --------------------------------------------------------------
@route("GET", rf"/storage/({_ID})")
def _storage(api: Api, _: Request, found: re.Match[str]) -> Reply:
    # The "presigned" URL needs no token, like S3's.
    binary = api.host.store.get("Binary", found.group(1))
    if binary is None:
        raise outcomes.not_found()
    return Reply(200, api.host.store.binary_content(binary["id"]), binary["contentType"])


def _fhir(api: Api, request: Request, _: re.Match[str]) -> Reply:
    """Everything else under `fhir/R4/` is answered by the project's in-memory engine."""
    token = api.token(request)
    if not token.admin and _ADMIN_ONLY.match(request.path):
        # Medplum's projectAdminResourceTypes: only project admins read or write them.
        raise outcomes.forbidden()
    engine = api.host.store.engine(token.project_id)
    url = engine.base_url + request.path.lstrip("/")
    if request.query:
        url += "?" + urlencode(request.query)
    headers = {k: v for k, v in request.headers.items() if k not in _HOP_HEADERS}
    answer = engine.handle(
        httpx.Request(request.method, url, headers=headers, content=request.body),
        request.body,
        author=token.profile,
    )
    kept = {k: v for k, v in answer.headers.items() if k in ("etag", "location")}
    content_type = answer.headers.get("content-type", FHIR_JSON)
    body = answer.content
    if request.path.startswith("/fhir/R4/Binary") and content_type.startswith(FHIR_JSON):
        value = answer.json()
        if isinstance(value, dict) and value.get("resourceType") == "Binary" and "id" in value:
            # Medplum answers a Binary as JSON with a (presigned) download URL.
            body = json.dumps(api.binary_json(value)).encode()
    return Reply(answer.status_code, body, content_type, kept)


for _method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
    route(_method, r"/fhir/R4(/.*)?")(_fhir)
