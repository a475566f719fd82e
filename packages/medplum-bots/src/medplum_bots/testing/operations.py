"""What the in-memory Medplum answers beyond FHIR CRUD and search: the calls the client's
convenience methods make.

    auth/me                      the session: profile, project, membership (set_session)
    email/v1/send                recorded in `sent_emails` (Medplum's checks: `to`, `subject`,
                                 the project's `email` feature)
    Patient/{id}/$everything     the patient and its compartment (as Medplum searches it)
    Agent/{id}/$push             to a Device with a url; recorded in `agent_pushes`; a waited-for
                                 answer comes from `agent_responder`
    ValueSet/$expand             stored ValueSets (by `url`, or `ValueSet/{id}/$expand`)
    {Type}/$validate             Medplum's validation, answered as Medplum answers it
    $graphql                     400: not supported in memory (see docs/client.md)

`InMemoryMedplum` hands every request outside plain CRUD/search to `Operations.answer`; what
it does not know stays the server's own "not supported in memory" 400. Binary download and
canonical reads (`url=` search) are ordinary reads and searches of the server itself.
"""

from __future__ import annotations

import copy
import functools
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import httpx

from medplum_bots.errors import outcome
from medplum_bots.testing.search import SearchError, ValueCache, parse_search
from medplum_bots.testing.validation import operation_outcome, validate_resource

if TYPE_CHECKING:
    from medplum_bots.testing.inmemory import InMemoryMedplum

COMPARTMENT_FILE = Path(__file__).with_name("definitions") / "patient_compartment.json"
FHIR_JSON = "application/fhir+json"
FHIR_PREFIX = "fhir/R4/"
ALL_OK = {
    "resourceType": "OperationOutcome",
    "id": "allok",
    "issue": [{"severity": "information", "code": "informational", "details": {"text": "All OK"}}],
}
# Paths outside fhir/R4/ the server answers (404 for any other): these operations, and the
# FHIR base itself, where executeBatch posts (`fhir/R4`, no slash).
NON_FHIR_PATHS = frozenset({"auth/me", "email/v1/send", "fhir/R4"})
GRAPHQL_UNSUPPORTED = "GraphQL is not supported in memory: use search/read in tests"

Resource = dict[str, Any]


class AgentResponder(Protocol):
    """Answers an `Agent/$push` that waits for a response: the body the Agent would return
    (text, e.g. an HL7 ACK, or JSON) and its content type."""

    def __call__(self, push: Mapping[str, Any]) -> tuple[str | Mapping[str, Any], str]: ...


class _Refused(Exception):
    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def _answer(status: int, body: Any, content_type: str = FHIR_JSON) -> httpx.Response:
    if isinstance(body, str):
        return httpx.Response(status, content=body.encode(), headers={"Content-Type": content_type})
    headers = {"Content-Type": f"{content_type}; charset=utf-8"}
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise _Refused(400, "invalid", "Request body is not valid JSON") from None


@functools.cache
def _patient_compartment() -> dict[str, list[str]]:
    """Resource type -> the search parameters that put it in a patient's compartment."""
    with COMPARTMENT_FILE.open(encoding="utf-8") as f:
        params: dict[str, list[str]] = json.load(f)["params"]
    return params


class Operations:
    """The operations of one `InMemoryMedplum` (its recorded emails and Agent pushes too)."""

    def __init__(self, server: InMemoryMedplum) -> None:
        self._server = server
        self.sent_emails: list[dict[str, Any]] = []
        self.agent_pushes: list[dict[str, Any]] = []
        self.agent_responder: AgentResponder | None = None
        project_id, profile_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.session: dict[str, Any] = {}
        self.set_session(
            profile={"resourceType": "Bot", "id": profile_id, "name": "In-memory bot"},
            project={
                "resourceType": "Project",
                "id": project_id,
                "name": "In-memory project",
                "features": ["email"],
            },
        )

    def set_session(
        self,
        *,
        profile: Mapping[str, Any] | None = None,
        project: Mapping[str, Any] | None = None,
        admin: bool = False,
        access_policy: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Set what `auth/me` answers: who the caller is (`profile`: a stored Practitioner,
        a Bot...), its project, and whether its membership is a project admin."""
        profile = dict(profile or self.session.get("profile") or {})
        project = dict(project or self.session.get("project") or {})
        profile_ref = {"reference": f"{profile.get('resourceType')}/{profile.get('id')}"}
        membership: dict[str, Any] = {
            "resourceType": "ProjectMembership",
            "id": str(uuid.uuid4()),
            "project": {"reference": f"Project/{project.get('id')}"},
            "user": profile_ref,
            "profile": profile_ref,
            "admin": admin,
        }
        session: dict[str, Any] = {
            "project": project,
            "membership": membership,
            "profile": profile,
            "config": {"resourceType": "UserConfiguration", "id": str(uuid.uuid4())},
        }
        if access_policy is not None:
            session["accessPolicy"] = dict(access_policy)
            membership["accessPolicy"] = {"reference": f"AccessPolicy/{access_policy.get('id')}"}
        self.session = session
        return copy.deepcopy(session)

    # -- dispatch ----------------------------------------------------------------------------

    def answer(self, request: httpx.Request, body: bytes) -> httpx.Response | None:
        """The answer to `request` if it is one of these operations, else None."""
        url = urlsplit(str(request.url))
        path = url.path.lstrip("/")
        method = request.method.upper()
        params = parse_qsl(url.query, keep_blank_values=True)
        parts = [p for p in path[len(FHIR_PREFIX) :].split("/") if p]
        handler = self._handler(method, path, parts)
        if handler is None:
            return None
        try:
            return handler(parts, params, body)
        except _Refused as refused:
            return _answer(refused.status, outcome("error", refused.code, refused.text))

    def _handler(
        self, method: str, path: str, parts: list[str]
    ) -> Callable[[list[str], list[tuple[str, str]], bytes], httpx.Response] | None:
        if path == "auth/me" and method == "GET":
            return self._me
        if path == "email/v1/send" and method == "POST":
            return self._send_email
        if not path.startswith(FHIR_PREFIX):
            return None
        match (method, parts):
            case ("POST", ["$graphql"]) | ("GET", ["$graphql"]):
                return self._graphql
            case ("GET", ["Patient", _, "$everything"]):
                return self._everything
            case ("POST", ["Agent", _, "$push"]):
                return self._push
            case ("GET", ["ValueSet", "$expand"]) | ("GET", ["ValueSet", _, "$expand"]):
                return self._expand
            case ("POST", [_, "$validate"]):
                return self._validate
        return None

    # -- the operations ----------------------------------------------------------------------

    def _me(self, parts: list[str], params: list[tuple[str, str]], body: bytes) -> httpx.Response:
        return _answer(200, self.session, "application/json")

    def _send_email(
        self, parts: list[str], params: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        email = _json_body(body)
        if not isinstance(email, dict):
            raise _Refused(400, "invalid", "Request body must be a JSON object")
        # Medplum's email route: every missing field is an issue naming it, then the project
        # must have the `email` feature.
        issues = [
            {
                "severity": "error",
                "code": "invalid",
                "expression": [field],
                "details": {"text": text},
            }
            for field, text in (("to", "To is required"), ("subject", "Subject is required"))
            if not email.get(field)
        ]
        if issues:
            return _answer(400, {"resourceType": "OperationOutcome", "issue": issues})
        if "email" not in (self.session.get("project") or {}).get("features", []):
            raise _Refused(403, "forbidden", "Forbidden")
        self.sent_emails.append(email)
        return _answer(200, ALL_OK)

    def _everything(
        self, parts: list[str], params: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        # As Medplum: the patient, then every resource a Patient-compartment search parameter
        # links to it (`subject=Patient/<id>`, `performer=...`), each once.
        patient_id = parts[1]
        patient = self._server.get("Patient", patient_id)
        if patient is None:
            raise _Refused(404, "not-found", "Not found")
        target = f"Patient/{patient_id}"
        found: dict[str, Resource] = {target: patient}
        values = ValueCache()
        for kind, codes in _patient_compartment().items():
            for code in codes:
                try:
                    matches = parse_search(kind, [(code, target)]).run(self._server, values)
                except SearchError:
                    continue  # a compartment parameter Medplum does not define for this type
                for resource in matches:
                    found.setdefault(f"{kind}/{resource['id']}", resource)
        entries = [
            {
                "fullUrl": f"{self._server.base_url}{FHIR_PREFIX}{r['resourceType']}/{r['id']}",
                "search": {"mode": "match"},
                "resource": copy.deepcopy(r),
            }
            for r in found.values()
        ]
        bundle = {"resourceType": "Bundle", "type": "searchset", "entry": entries}
        return _answer(200, bundle)

    def _push(self, parts: list[str], params: list[tuple[str, str]], body: bytes) -> httpx.Response:
        # Medplum's checks, in its order, with its texts; the destination is a Device (by
        # reference or search) with a `url`, where the Agent would send the message.
        agent_id = parts[1]
        if self._server.get("Agent", agent_id) is None:
            raise _Refused(404, "not-found", "Not found")
        push = _json_body(body)
        if not isinstance(push, dict):
            raise _Refused(400, "invalid", "Request body must be a JSON object")
        for name in ("body", "contentType", "destination"):
            if not push.get(name):
                raise _Refused(400, "invalid", f"Missing {name} parameter")
        wait_timeout = push.get("waitTimeout", 10000)
        if not isinstance(wait_timeout, int | float) or not 0 <= wait_timeout <= 60000:
            raise _Refused(400, "invalid", "Invalid wait timeout")
        device = self._device(str(push["destination"]))
        if device is None:
            raise _Refused(400, "invalid", "Destination device not found")
        if not device.get("url"):
            raise _Refused(400, "invalid", "Destination device missing url")
        self.agent_pushes.append({"agent": f"Agent/{agent_id}", "remote": device["url"], **push})
        if not push.get("waitForResponse"):
            return _answer(200, ALL_OK)
        if self.agent_responder is None:
            timeout = outcome("error", "invalid", "Timeout")
            timeout["issue"][0]["diagnostics"] = (
                "no Agent answers in memory: set InMemoryMedplum.operations.agent_responder"
            )
            return _answer(400, timeout)
        answer, content_type = self.agent_responder(push)
        return _answer(200, answer if isinstance(answer, str) else dict(answer), content_type)

    def _device(self, destination: str) -> Resource | None:
        if destination.startswith("Device/"):
            return self._server.get("Device", destination.removeprefix("Device/"))
        if destination.startswith("Device?"):
            query = parse_qsl(destination.removeprefix("Device?"), keep_blank_values=True)
            try:
                found = parse_search("Device", query).run(self._server)
            except SearchError as error:
                raise _Refused(400, "invalid", str(error)) from None
            return found[0] if found else None
        return None

    def _graphql(
        self, parts: list[str], params: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        raise _Refused(400, "not-supported", GRAPHQL_UNSUPPORTED)

    def _validate(
        self, parts: list[str], params: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        resource = _json_body(body)
        if isinstance(resource, dict) and resource.get("resourceType") == "Parameters":
            resource = next(
                (
                    p.get("resource")
                    for p in resource.get("parameter") or []
                    if isinstance(p, dict) and p.get("name") == "resource"
                ),
                None,
            )
        if not isinstance(resource, dict):
            raise _Refused(400, "invalid", "Request body must be a resource")
        if resource.get("resourceType") != parts[0]:
            raise _Refused(400, "invalid", "Incorrect resource type")
        issues = validate_resource(resource)
        if any(i.severity == "error" for i in issues):
            return _answer(400, operation_outcome(issues))
        return _answer(200, ALL_OK)

    def _expand(
        self, parts: list[str], params: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        # Medplum's texts and paging: `count` 10 by default (1 to 1000), `offset` from 0; the
        # answer is the ValueSet with an `expansion` of `total`, `timestamp` and `contains`.
        query = dict(params)
        if len(parts) == 3:
            value_set = self._server.get("ValueSet", parts[1])
            if value_set is None:
                raise _Refused(404, "not-found", "Not found")
        else:
            url = query.get("url")
            if not url:
                raise _Refused(400, "invalid", "Missing url")
            canonical = url.partition("|")[0]
            value_set = next(
                (v for v in self._server.current("ValueSet") if v.get("url") == canonical), None
            )
            if value_set is None:
                raise _Refused(400, "invalid", "ValueSet not found")
        contains = self._contains(value_set)
        text = query.get("filter", "").lower()
        if text:
            contains = [c for c in contains if text in str(c.get("display", c["code"])).lower()]
        try:
            offset = max(0, int(query.get("offset") or 0))
            count = min(1000, max(1, int(query.get("count") or 10)))
        except ValueError:
            raise _Refused(400, "invalid", "Invalid offset or count") from None
        expansion = {
            "total": len(contains),
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "contains": contains[offset : offset + count],
        }
        return _answer(200, {**copy.deepcopy(value_set), "expansion": expansion})

    def _contains(self, value_set: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The codes of a stored ValueSet: its own expansion, else its compose (explicit
        concepts, or every concept of a stored CodeSystem), less its excludes."""
        stored = value_set.get("expansion")
        if isinstance(stored, dict) and isinstance(stored.get("contains"), list):
            return copy.deepcopy(stored["contains"])
        compose = value_set.get("compose") or {}
        excluded = {
            (inc.get("system"), c.get("code"))
            for inc in compose.get("exclude") or []
            for c in inc.get("concept") or []
        }
        out: list[dict[str, Any]] = []
        for include in compose.get("include") or []:
            if include.get("filter") or include.get("valueSet"):
                raise _Refused(
                    400,
                    "not-supported",
                    "ValueSet filters and nested value sets are not expanded in memory",
                )
            system = include.get("system")
            concepts = include.get("concept")
            if concepts is None:
                concepts = list(self._code_system_concepts(system))
            for concept in concepts:
                if (system, concept.get("code")) in excluded:
                    continue
                entry = {"system": system, "code": concept.get("code")}
                if concept.get("display"):
                    entry["display"] = concept["display"]
                out.append(entry)
        return out

    def _code_system_concepts(self, system: Any) -> Iterator[Mapping[str, Any]]:
        code_system = next(
            (c for c in self._server.current("CodeSystem") if c.get("url") == system), None
        )
        if code_system is None:
            raise _Refused(400, "invalid", f"Code system {system} not found")

        def walk(concepts: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
            for concept in concepts:
                yield concept
                yield from walk(concept.get("concept") or [])

        yield from walk(code_system.get("concept") or [])
