"""The stand-in's HTTP API: OAuth token, FHIR REST, Binary, admin bot creation, $deploy,
$execute. Transport-free: `Api.handle(Request) -> Reply`."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from medplum_bots.testing.json_patch import PatchError, apply_patch

from medplum_standin import outcomes
from medplum_standin.bots import Execution
from medplum_standin.fhir_store import Gone, NotFound, Resource
from medplum_standin.outcomes import ApiError
from medplum_standin.search import SearchError, search
from medplum_standin.validation import ValidationError, validate

if TYPE_CHECKING:
    from medplum_standin.server import MedplumStandIn, Token

FHIR_JSON = "application/fhir+json"
JSON = "application/json"
# Content types $execute passes through as the event's contentType (Medplum's list).
EXECUTE_CONTENT_TYPES = (JSON, FHIR_JSON, "text/plain", "x-application/hl7-v2+er7")
_MIRRORED_CONTENT_TYPES = ("text/plain", "x-application/hl7-v2+er7")
LAMBDA_CONFLICT = (
    "The operation cannot be performed at this time. An update is in progress for resource: "
    "arn:aws:lambda:us-east-1:123456789012:function:medplum-bot-lambda-{id}"
)
MAX_LAMBDA_TIMEOUT = 900
_TYPE = r"[A-Z][A-Za-z]+"
_ID = r"[A-Za-z0-9\-.]{1,64}"


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


def _etag(resource: Resource) -> dict[str, str]:
    return {"ETag": f'W/"{resource["meta"]["versionId"]}"'}


class Api:
    """Request handling; all state lives in the `MedplumStandIn` it serves."""

    def __init__(self, host: MedplumStandIn) -> None:
        self.host = host
        self.store = host.store

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
                raise ApiError(405, "not-supported", "Method not allowed")
            raise outcomes.not_found()
        except ApiError as error:
            return Reply.of_json(error.status, error.body)

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
        try:
            return self.store.read(resource_type, id, project_id)
        except NotFound:
            raise outcomes.not_found() from None
        except Gone:
            raise outcomes.gone() from None

    def valid(self, resource: Any, resource_type: str) -> Resource:
        """Strict validation (400 on failure)."""
        try:
            return validate(resource, resource_type)
        except ValidationError as error:
            raise outcomes.bad_request(str(error)) from None

    def search(self, resource_type: str, token: Token, query: list[tuple[str, str]]) -> Resource:
        """Search in the caller's project (400 on a bad parameter)."""
        try:
            return search(self.store, resource_type, token.project_id, query, self.host.base_url)
        except SearchError as error:
            raise outcomes.bad_request(str(error)) from None

    def check_if_match(self, request: Request, current: Resource) -> None:
        """Optimistic locking: `If-Match: W/"<versionId>"` must name the current version."""
        wanted = request.headers.get("if-match")
        if wanted is not None and wanted.strip() not in (
            f'W/"{current["meta"]["versionId"]}"',
            f'"{current["meta"]["versionId"]}"',
        ):
            raise outcomes.precondition_failed()

    def created(self, resource: Resource, token: Token) -> Resource:
        """Store a new resource and fire subscriptions."""
        stored = self.store.create(resource, token.project_id, token.profile)
        self.host.fire_subscriptions(stored, "create")
        return stored

    def updated(self, resource: Resource, token: Token) -> Resource:
        """Store a new version and fire subscriptions (only when something changed)."""
        before = self.store.read(resource["resourceType"], resource["id"], token.project_id)
        stored = self.store.update(resource, token.project_id, token.profile)
        if stored["meta"]["versionId"] != before["meta"]["versionId"]:
            self.host.fire_subscriptions(stored, "update")
        return stored

    def write_binary(self, request: Request, token: Token, id: str | None) -> Resource:
        """Create (or replace) a Binary from a raw body or a FHIR Binary JSON body."""
        content_type = request.headers.get("content-type") or "application/octet-stream"
        content = request.body
        binary: Resource = {"resourceType": "Binary", "contentType": content_type}
        if request.content_type == FHIR_JSON:
            parsed = request.json()
            if isinstance(parsed, dict) and parsed.get("resourceType") == "Binary":
                binary = {k: v for k, v in parsed.items() if k not in ("data", "meta", "id")}
                content = base64.b64decode(parsed.get("data") or "")
        if id is None:
            stored = self.created(binary, token)
        else:
            with self.store.lock:
                current = self.read("Binary", id, token.project_id)
                self.check_if_match(request, current)
                stored = self.store.update({**binary, "id": id}, token.project_id, token.profile)
        self.store.put_binary_content(stored["id"], content)
        return self.store.read("Binary", stored["id"])

    def binary_json(self, binary: Resource) -> Resource:
        """A Binary as JSON, with a (pretend presigned) download URL."""
        return {**binary, "url": f"{self.host.base_url}storage/{binary['id']}"}


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
    bot = api.created(api.valid(bot, "Bot"), token)
    membership: Resource = {
        "resourceType": "ProjectMembership",
        "project": {"reference": f"Project/{project_id}"},
        "user": {"reference": f"Bot/{bot['id']}", "display": bot["name"]},
        "profile": {"reference": f"Bot/{bot['id']}", "display": bot["name"]},
    }
    api.store.create(membership, project_id, token.profile)
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
    binary = api.created({"resourceType": "Binary", "contentType": "text/javascript"}, token)
    api.store.put_binary_content(binary["id"], str(code).encode())
    bot["executableCode"] = {
        "contentType": "text/javascript",
        "url": f"Binary/{binary['id']}",
        "title": filename,
    }
    # The stored Bot is never invalid here, but Medplum re-validates on update too.
    bot = api.updated(api.valid(bot, "Bot"), token)
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
        hits = api.search("Bot", token, [("identifier", identifier)])["entry"]
        if not hits:
            raise outcomes.not_found()
        bot = hits[0]["resource"]
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


def _execution_reply(execution: Execution, content_type: str) -> Reply:
    """Medplum's answer: the return value (numbers as strings), else an OperationOutcome."""
    status = 200 if execution.success else 400
    answer_type = content_type if content_type in _MIRRORED_CONTENT_TYPES else JSON
    if not execution.has_value:
        body = (
            outcomes.ALL_OK
            if execution.success
            else outcomes.outcome("error", "invalid", execution.log)
        )
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


# -- Binary -----------------------------------------------------------------------------
@route("POST", r"/fhir/R4/Binary")
def _binary_create(api: Api, request: Request, _: re.Match[str]) -> Reply:
    token = api.token(request)
    binary = api.write_binary(request, token, None)
    return Reply.of_json(
        201, api.binary_json(binary), Location=f"{api.host.base_url}fhir/R4/Binary/{binary['id']}"
    )


@route("PUT", rf"/fhir/R4/Binary/({_ID})")
def _binary_update(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    binary = api.write_binary(request, token, found.group(1))
    return Reply.of_json(200, api.binary_json(binary), **_etag(binary))


@route("GET", rf"/fhir/R4/Binary/({_ID})")
def _binary_read(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    binary = api.read("Binary", found.group(1), token.project_id)
    if "fhir+json" in request.headers.get("accept", ""):
        return Reply.of_json(200, api.binary_json(binary), **_etag(binary))
    return Reply(200, api.store.binary_content(binary["id"]), binary["contentType"], _etag(binary))


@route("GET", rf"/storage/({_ID})")
def _storage(api: Api, _: Request, found: re.Match[str]) -> Reply:
    # The "presigned" URL needs no token, like S3's.
    binary = api.store.get("Binary", found.group(1))
    if binary is None:
        raise outcomes.not_found()
    return Reply(200, api.store.binary_content(binary["id"]), binary["contentType"])


# -- FHIR REST ---------------------------------------------------------------------------
@route("GET", rf"/fhir/R4/({_TYPE})")
def _search(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    return Reply.of_json(200, api.search(found.group(1), token, request.query))


@route("POST", rf"/fhir/R4/({_TYPE})")
def _create(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    resource_type = found.group(1)
    resource = api.valid(request.json(), resource_type)
    condition = request.headers.get("if-none-exist")
    with api.store.lock:  # conditional create: search and create as one step
        if condition:
            hits = api.search(resource_type, token, parse_qsl(condition))["entry"]
            if len(hits) > 1:
                raise outcomes.precondition_failed()
            if hits:
                existing = hits[0]["resource"]
                return Reply.of_json(200, existing, **_etag(existing))
        stored = api.created({k: v for k, v in resource.items() if k != "id"}, token)
    return Reply.of_json(
        201,
        stored,
        Location=f"{api.host.base_url}fhir/R4/{resource_type}/{stored['id']}",
        **_etag(stored),
    )


@route("GET", rf"/fhir/R4/({_TYPE})/({_ID})")
def _read(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    resource = api.read(found.group(1), found.group(2), token.project_id)
    return Reply.of_json(200, resource, **_etag(resource))


@route("GET", rf"/fhir/R4/({_TYPE})/({_ID})/_history")
def _history(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    api.read(found.group(1), found.group(2), token.project_id)
    versions = list(reversed(api.store.history(found.group(1), found.group(2))))
    return Reply.of_json(
        200,
        {
            "resourceType": "Bundle",
            "type": "history",
            "entry": [{"resource": v} for v in versions],
        },
    )


@route("PUT", rf"/fhir/R4/({_TYPE})/({_ID})")
def _update(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    resource_type, id = found.group(1), found.group(2)
    resource = api.valid(request.json(), resource_type)
    if resource.get("id") != id:
        raise outcomes.bad_request("Incorrect ID")
    with api.store.lock:  # check-then-write is atomic, like Medplum's transaction
        current = api.read(resource_type, id, token.project_id)
        api.check_if_match(request, current)
        stored = api.updated(resource, token)
    return Reply.of_json(200, stored, **_etag(stored))


@route("PUT", rf"/fhir/R4/({_TYPE})")
def _conditional_update(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    resource_type = found.group(1)
    if not request.query:
        raise ApiError(405, "not-supported", "Method not allowed")
    resource = api.valid(request.json(), resource_type)
    with api.store.lock:
        hits = api.search(resource_type, token, request.query)["entry"]
        if len(hits) > 1:
            raise outcomes.precondition_failed()
        if not hits:
            stored = api.created({k: v for k, v in resource.items() if k != "id"}, token)
            return Reply.of_json(201, stored, **_etag(stored))
        existing = hits[0]["resource"]
        if resource.get("id") not in (None, existing["id"]):
            raise outcomes.bad_request("Resource ID did not match resolved ID")
        stored = api.updated({**resource, "id": existing["id"]}, token)
    return Reply.of_json(200, stored, **_etag(stored))


@route("PATCH", rf"/fhir/R4/({_TYPE})/({_ID})")
def _patch(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    operations = request.json()
    with api.store.lock:  # read, test ops and write see one version
        current = api.read(found.group(1), found.group(2), token.project_id)
        api.check_if_match(request, current)
        try:
            patched = apply_patch(current, operations)
        except PatchError as error:
            raise outcomes.bad_request(str(error)) from None
        if (patched.get("id"), patched.get("resourceType")) != (
            current["id"],
            current["resourceType"],
        ):
            raise outcomes.bad_request("Patch cannot change the resource type or id")
        stored = api.updated(api.valid(patched, current["resourceType"]), token)
    return Reply.of_json(200, stored, **_etag(stored))


@route("DELETE", rf"/fhir/R4/({_TYPE})/({_ID})")
def _delete(api: Api, request: Request, found: re.Match[str]) -> Reply:
    token = api.token(request)
    resource_type, id = found.group(1), found.group(2)
    api.read(resource_type, id, token.project_id)
    deleted = api.store.delete(resource_type, id, token.project_id)
    api.host.fire_subscriptions(deleted, "delete")
    return Reply.of_json(200, outcomes.ALL_OK)
