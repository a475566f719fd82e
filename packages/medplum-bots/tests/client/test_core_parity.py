"""The new client calls put on the wire what @medplum/core's MedplumClient puts there.

The same calls go through @medplum/core 4.x under Node and through `MedplumClient` and
`AsyncMedplumClient`, each against its own loopback server (real sockets) that answers like
Medplum. The requests each server saw (method, path and query, Content-Type, body,
`X-Security-Context`, download's `Accept`) and the results must be the same.

One difference is by design (docs/client.md): an Attachment's `url` is `Binary/<id>` where
@medplum/core keeps the Binary's presigned URL, which Medplum itself rewrites to `Binary/<id>`
when the resource holding it is stored. `STORAGE` below applies that rewrite to core's side.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from medplum_bots import AsyncMedplumClient, MedplumClient
from medplum_bots.client.retry import RetryPolicy
from tests.client.loopback import Loopback, Reply, Seen, serving
from tests.client.node_core import run_node

# A JWT-shaped token with a `login_id` claim: @medplum/core then fetches auth/me for
# getProfileAsync, as it does for a real Medplum login (the signature is never checked).
_CLAIMS = base64.urlsafe_b64encode(json.dumps({"login_id": "l1"}).encode()).decode().rstrip("=")
TOKEN = f"eyJhbGciOiJub25lIn0.{_CLAIMS}.sig"
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"family": "Doe"}]}
SESSION = {
    "project": {"resourceType": "Project", "id": "proj1", "name": "P"},
    "membership": {"resourceType": "ProjectMembership", "id": "m1", "admin": True},
    "profile": {"resourceType": "Practitioner", "id": "dr1", "name": [{"family": "Smith"}]},
}
STORAGE = ("BASE/storage/bin-1", "Binary/bin-1")
CDA = '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>'
OPS = [{"op": "replace", "path": "/active", "value": True}]


class LikeMedplum:
    """Answers each call as Medplum would (ids fixed, so both clients get the same answers)."""

    def __init__(self) -> None:
        self.server: Loopback | None = None

    def __call__(self, seen: Seen) -> Reply:
        url = urlsplit(seen.path)
        path = url.path
        body = None
        if seen.body[:1] in (b"{", b"["):
            # Medplum stores attachments of its own storage as `Binary/<id>`.
            base = self.server.base_url if self.server else ""
            body = json.loads(seen.body.decode().replace(f"{base}storage/", "Binary/"))
        ok = {"resourceType": "OperationOutcome", "issue": [{"severity": "information"}]}
        if path == "/auth/me":
            return Reply(200, SESSION, content_type="application/json")
        if path == "/email/v1/send":
            return Reply(200, ok)
        if path in ("/storage/bin-1", "/fhir/R4/Binary/bin-1"):
            return Reply(200, b"%PDF-1.4 bytes", content_type="application/pdf")
        if path == "/fhir/R4/Binary" and seen.method == "POST":
            base = self.server.base_url if self.server else ""
            binary = {
                "resourceType": "Binary",
                "id": "bin-1",
                "contentType": seen.headers.get("content-type"),
                "url": f"{base}storage/bin-1",
            }
            return Reply(201, binary)
        if path.endswith("/$push"):
            return Reply(200, "MSA|AA", content_type="x-application/hl7-v2+er7")
        if path.endswith("/$graphql"):
            return Reply(200, {"data": {"PatientList": []}}, content_type="application/json")
        if path.endswith("/$validate"):
            return Reply(200, ok)
        if path.endswith("/$expand"):
            return Reply(200, {"resourceType": "ValueSet", "status": "active", "expansion": {}})
        if seen.method == "POST" and path == "/fhir/R4/":
            return Reply(200, {"resourceType": "Bundle", "type": "batch-response", "entry": []})
        if seen.method == "POST" and isinstance(body, dict):
            return Reply(201, {**body, "id": body.get("id") or "new-1"})
        if seen.method == "PUT" and isinstance(body, dict):
            return Reply(200, {**body, "id": body.get("id") or "new-1"})
        if seen.method == "PATCH":
            return Reply(200, {**PATIENT, "active": True})
        return Reply(200, {"resourceType": "Bundle", "type": "searchset", "entry": []})


# (@medplum/core call: method and JSON arguments, the same call on the Python client)
Case = tuple[list[Any], Callable[[Any], Any]]
CASES: list[tuple[str, Case]] = [
    (
        "execute_batch",
        (
            ["executeBatch", {"resourceType": "Bundle", "type": "batch", "entry": []}],
            lambda m: m.execute_batch({"resourceType": "Bundle", "type": "batch", "entry": []}),
        ),
    ),
    (
        "upsert_resource",
        (
            ["upsertResource", PATIENT, {"identifier": "s|1"}],
            lambda m: m.upsert_resource(PATIENT, {"identifier": "s|1"}),
        ),
    ),
    (
        "upsert_resource (string query)",
        (
            ["upsertResource", PATIENT, "identifier=s|1&active=true"],
            lambda m: m.upsert_resource(PATIENT, "identifier=s|1&active=true"),
        ),
    ),
    (
        "send_email",
        (
            ["sendEmail", {"to": ["a@x.org"], "subject": "Hi", "text": "t", "cc": "b@x.org"}],
            lambda m: m.send_email(
                {"to": ["a@x.org"], "subject": "Hi", "text": "t", "cc": "b@x.org"}
            ),
        ),
    ),
    (
        "read_patient_everything",
        (["readPatientEverything", "p1"], lambda m: m.read_patient_everything("p1")),
    ),
    (
        "read_patient_summary",
        (["readPatientSummary", "p1"], lambda m: m.read_patient_summary("p1")),
    ),
    (
        "read_resource_graph",
        (
            ["readResourceGraph", "Patient", "p1", "everything"],
            lambda m: m.read_resource_graph("Patient", "p1", "everything"),
        ),
    ),
    (
        "create_binary with security context",
        (
            [
                "createBinary",
                {
                    "data": {"$bytes": "abc"},
                    "contentType": "text/plain",
                    "filename": "a.txt",
                    "securityContext": {"reference": "Patient/p1"},
                },
            ],
            lambda m: m.create_binary(
                b"abc", "text/plain", "a.txt", security_context={"reference": "Patient/p1"}
            ),
        ),
    ),
    (
        "create_attachment of a C-CDA document",
        (
            [
                "createAttachment",
                {"data": {"$bytes": CDA}, "contentType": "text/xml", "filename": "c.xml"},
            ],
            lambda m: m.create_attachment(CDA.encode(), "text/xml", "c.xml"),
        ),
    ),
    (
        "create_attachment without a filename",
        (
            ["createAttachment", {"data": "plain", "contentType": "text/plain"}],
            lambda m: m.create_attachment("plain", "text/plain"),
        ),
    ),
    (
        "create_media",
        (
            [
                "createMedia",
                {
                    "data": {"$bytes": "%PDF"},
                    "contentType": "application/pdf",
                    "filename": "m.pdf",
                    "additionalFields": {"subject": {"reference": "Patient/p1"}},
                },
            ],
            lambda m: m.create_media(
                b"%PDF",
                "application/pdf",
                "m.pdf",
                additional_fields={"subject": {"reference": "Patient/p1"}},
            ),
        ),
    ),
    (
        "create_document_reference",
        (
            [
                "createDocumentReference",
                {
                    "data": {"$bytes": "%PDF"},
                    "contentType": "application/pdf",
                    "filename": "d.pdf",
                    "securityContext": {"reference": "Patient/p1"},
                },
            ],
            lambda m: m.create_document_reference(
                b"%PDF", "application/pdf", "d.pdf", security_context="Patient/p1"
            ),
        ),
    ),
    (
        "value_set_expand",
        (
            ["valueSetExpand", {"url": "http://vs", "filter": "a", "count": 5}],
            lambda m: m.value_set_expand({"url": "http://vs", "filter": "a", "count": 5}),
        ),
    ),
    ("validate_resource", (["validateResource", PATIENT], lambda m: m.validate_resource(PATIENT))),
    (
        "graphql",
        (["graphql", "{ PatientList { id } }"], lambda m: m.graphql("{ PatientList { id } }")),
    ),
    (
        "graphql with operation and variables",
        (
            ["graphql", "query Q($n: String) { x }", "Q", {"n": "a"}],
            lambda m: m.graphql("query Q($n: String) { x }", "Q", {"n": "a"}),
        ),
    ),
    (
        "push_to_agent waiting",
        (
            [
                "pushToAgent",
                {"resourceType": "Agent", "id": "a1"},
                {"reference": "Device/d1"},
                "MSH|^~\\&|A",
                "x-application/hl7-v2+er7",
                True,
                {"waitTimeout": 5000},
            ],
            lambda m: m.push_to_agent(
                {"resourceType": "Agent", "id": "a1"},
                {"reference": "Device/d1"},
                "MSH|^~\\&|A",
                "x-application/hl7-v2+er7",
                True,
                wait_timeout=5000,
            ),
        ),
    ),
    (
        "push_to_agent to a reference string",
        (
            ["pushToAgent", {"reference": "Agent/a1"}, "Device/d2", {"a": 1}],
            lambda m: m.push_to_agent({"reference": "Agent/a1"}, "Device/d2", {"a": 1}),
        ),
    ),
    ("download Binary/<id>", (["download", "Binary/bin-1"], lambda m: m.download("Binary/bin-1"))),
    ("download a path", (["download", "storage/bin-1"], lambda m: m.download("storage/bin-1"))),
    ("get_profile (auth/me)", (["getProfileAsync"], lambda m: m.get_profile())),
    (
        "create_comment (sender from the session)",
        (
            ["createComment", PATIENT, "Looks fine"],
            lambda m: m.create_comment(PATIENT, "Looks fine"),
        ),
    ),
    (
        "patch",
        (["patch", "fhir/R4/Patient/p1", OPS], lambda m: m.patch("fhir/R4/Patient/p1", OPS)),
    ),
    (
        "invite",
        (
            ["invite", "proj1", {"resourceType": "Practitioner", "email": "a@x.org"}],
            lambda m: m.invite("proj1", {"resourceType": "Practitioner", "email": "a@x.org"}),
        ),
    ),
]


def _request(seen: Seen, base_url: str) -> dict[str, Any]:
    """What is compared of a request (the server's own URL in a body made `BASE/`)."""
    url = urlsplit(seen.path)
    media = seen.headers.get("content-type", "").split(";")[0].strip().lower() or None
    body: Any = seen.body.decode(errors="replace")
    if media and (media.endswith("json")) and seen.body:
        body = json.loads(seen.body.decode().replace(base_url, "BASE/").replace(*STORAGE))
        if isinstance(body, dict):
            body.pop("sent", None)  # createComment's clock
    shape = {
        "method": seen.method,
        "path": url.path,
        "query": parse_qsl(url.query, keep_blank_values=True),
        "content-type": media if seen.body else None,
        "body": body,
        "x-security-context": seen.headers.get("x-security-context"),
    }
    if seen.headers.get("accept") == "*/*":
        shape["accept"] = "*/*"
    return shape


def _result(value: Any, base_url: str) -> Any:
    """A result, made comparable: the server's own URL removed, bytes/blobs as text."""
    if isinstance(value, dict) and "$blob" in value:
        return value["$blob"]
    if isinstance(value, bytes):
        return value.decode()
    result = json.loads(json.dumps(value).replace(base_url, "BASE/"))
    if isinstance(result, dict) and "resourceType" not in result and "url" in result:
        result["url"] = result["url"].replace(*STORAGE)  # an Attachment
    if isinstance(result, dict):
        result.pop("sent", None)
    return result


def _serve(run: Callable[[Loopback], list[Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    like = LikeMedplum()
    with serving(like) as server:
        like.server = server
        results = [_result(r, server.base_url) for r in run(server)]
        return [_request(s, server.base_url) for s in server.seen], results


@pytest.fixture(scope="module")
def medplum_core() -> tuple[list[dict[str, Any]], list[Any]]:
    def run(server: Loopback) -> list[Any]:
        payload = {"baseUrl": server.base_url, "token": TOKEN, "calls": [c for _, (c, _) in CASES]}
        answers = run_node("core_requests.cjs", payload, file=True)
        for (name, _), answer in zip(CASES, answers, strict=True):
            assert "ok" in answer, f"@medplum/core failed {name}: {answer}"
        return [a["ok"] for a in answers]

    return _serve(run)


def _sync(server: Loopback) -> list[Any]:
    with MedplumClient(server.base_url, access_token=TOKEN, retry=RetryPolicy()) as medplum:
        return [call(medplum) for _, (_, call) in CASES]


def _async(server: Loopback) -> list[Any]:
    async def main() -> list[Any]:
        async with AsyncMedplumClient(server.base_url, access_token=TOKEN) as medplum:
            results = []
            for _, (_, call) in CASES:
                pending: Awaitable[Any] = call(medplum)
                results.append(await pending)
            return results

    return asyncio.run(main())


@pytest.mark.parametrize("run", [_sync, _async], ids=["sync", "async"])
def test_requests_and_results_match_medplum_core(
    run: Callable[[Loopback], list[Any]],
    medplum_core: tuple[list[dict[str, Any]], list[Any]],
) -> None:
    requests, results = _serve(run)
    expected_requests, expected_results = medplum_core

    assert requests == expected_requests
    for (name, _), got, want in zip(CASES, results, expected_results, strict=True):
        assert got == want, name


def test_the_session_is_fetched_once_per_token() -> None:
    like = LikeMedplum()
    with serving(like) as server:
        like.server = server
        with MedplumClient(server.base_url, access_token=TOKEN) as medplum:
            assert medplum.get_profile() == SESSION["profile"]
            assert medplum.get_project() == SESSION["project"]
            assert medplum.get_project_membership() == SESSION["membership"]
            assert medplum.is_project_admin() is True
            assert [s.path for s in server.seen] == ["/auth/me"]
            medplum.set_access_token(TOKEN + "2")  # another login: another session
            medplum.get_profile()
        assert [s.path for s in server.seen] == ["/auth/me", "/auth/me"]


def test_concurrent_coroutines_share_one_session_request() -> None:
    like = LikeMedplum()
    with serving(like) as server:
        like.server = server

        async def main() -> list[Any]:
            async with AsyncMedplumClient(server.base_url, access_token=TOKEN) as medplum:
                return list(await asyncio.gather(*(medplum.get_project() for _ in range(10))))

        projects = asyncio.run(main())
    assert projects == [SESSION["project"]] * 10
    assert [s.path for s in server.seen] == ["/auth/me"]
