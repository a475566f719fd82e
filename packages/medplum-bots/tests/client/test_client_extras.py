"""Request shapes of the calls @medplum/core 4.5.2 has no counterpart for, or where the Python
client adds a rule (loopback HTTP, sync and async)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from medplum_bots import AsyncMedplumClient, MedplumClient, OperationOutcomeError
from medplum_bots.client.retry import RetryPolicy
from tests.client.loopback import Loopback, Reply, Seen, serving

TOKEN = "token-for-loopback-tests"
VALUE_SET = {"resourceType": "ValueSet", "id": "vs1", "url": "http://x/vs", "status": "active"}


def run(kind: str, server: Loopback, call: Callable[[Any], Any]) -> Any:
    """`call(client)` on a sync or an async client of `server`."""
    if kind == "sync":
        with MedplumClient(server.base_url, access_token=TOKEN, retry=RetryPolicy()) as medplum:
            return call(medplum)

    async def main() -> Any:
        async with AsyncMedplumClient(server.base_url, access_token=TOKEN) as medplum:
            result = call(medplum)
            return await result if inspect.isawaitable(result) else result

    return asyncio.run(main())


def searchset(seen: Seen) -> Reply:
    found = [{"resource": VALUE_SET}] if seen.path.startswith("/fhir/R4/ValueSet") else []
    return Reply(200, {"resourceType": "Bundle", "type": "searchset", "entry": found})


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_read_canonical_searches_by_url_then_version(kind: str) -> None:
    with serving(searchset) as server:
        found = run(kind, server, lambda m: m.read_canonical("ValueSet", "http://x/vs|2.0"))
    assert found == VALUE_SET
    assert [s.path for s in server.seen] == [
        "/fhir/R4/ValueSet?url=http%3A%2F%2Fx%2Fvs&version=2.0&_count=1"
    ]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_read_canonical_tries_types_in_order(kind: str) -> None:
    with serving(searchset) as server:
        found = run(
            kind,
            server,
            lambda m: m.read_canonical(["Questionnaire", "ValueSet", "CodeSystem"], "http://x/vs"),
        )
    assert found == VALUE_SET
    assert [s.path.split("?")[0] for s in server.seen] == [
        "/fhir/R4/Questionnaire",
        "/fhir/R4/ValueSet",
    ]
    with serving(searchset) as server:
        assert run(kind, server, lambda m: m.read_canonical("Questionnaire", "http://x/q")) is None


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_download_sends_the_token_only_to_medplum(kind: str) -> None:
    def storage(seen: Seen) -> Reply:
        return Reply(200, b"\x00pdf-bytes", content_type="application/pdf")

    with serving(storage) as elsewhere, serving(storage) as server:
        foreign = run(kind, server, lambda m: m.download(f"{elsewhere.base_url}signed/1?sig=x"))
        own = run(kind, server, lambda m: m.download("Binary/1"))

    assert foreign == own == b"\x00pdf-bytes"
    assert "authorization" not in elsewhere.seen[0].headers
    assert elsewhere.seen[0].headers["accept"] == "*/*"
    assert server.seen[0].path == "/fhir/R4/Binary/1"
    assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_download_of_a_missing_binary_raises(kind: str) -> None:
    def missing(seen: Seen) -> Reply:
        issue = {"severity": "error", "code": "not-found", "details": {"text": "Not found"}}
        return Reply(404, {"resourceType": "OperationOutcome", "issue": [issue]})

    with serving(missing) as server, pytest.raises(OperationOutcomeError) as caught:
        run(kind, server, lambda m: m.download("Binary/gone"))
    assert str(caught.value) == "HTTP 404: Not found"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_session_accessors_read_one_auth_me(kind: str) -> None:
    session = {
        "project": {"resourceType": "Project", "id": "p", "superAdmin": True},
        "membership": {"resourceType": "ProjectMembership", "id": "m"},
        "profile": {"resourceType": "ClientApplication", "id": "c"},
        "config": {"resourceType": "UserConfiguration", "id": "u"},
        "accessPolicy": {"resourceType": "AccessPolicy", "id": "a"},
    }

    def me(seen: Seen) -> Reply:
        return Reply(200, session, content_type="application/json")

    async def all_of_async(m: AsyncMedplumClient) -> list[Any]:
        return [
            await m.get_user_configuration(),
            await m.get_access_policy(),
            await m.is_super_admin(),
            await m.is_project_admin(),
            await m.get_session(),
        ]

    def all_of(m: Any) -> Any:
        if isinstance(m, AsyncMedplumClient):
            return all_of_async(m)
        return [
            m.get_user_configuration(),
            m.get_access_policy(),
            m.is_super_admin(),
            m.is_project_admin(),
            m.get_session(),
        ]

    with serving(me) as server:
        values = run(kind, server, all_of)
    assert values == [session["config"], session["accessPolicy"], True, False, session]
    assert [(s.method, s.path) for s in server.seen] == [("GET", "/auth/me")]
