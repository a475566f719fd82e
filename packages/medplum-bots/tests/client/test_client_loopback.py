"""The Medplum client against a real HTTP server on 127.0.0.1: login, refresh, retries, errors."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest

from medplum_bots import AsyncMedplumClient, MedplumClient, OperationOutcomeError
from medplum_bots.client.retry import RetryPolicy
from tests.client.conftest import Waits
from tests.client.loopback import Loopback, MiniMedplum, Reply, Seen, outcome_reply, serving

PATIENT = {"resourceType": "Patient", "name": [{"family": "Doe"}]}


def logged_in(server: Loopback, policy: RetryPolicy, trace_id: str | None = None) -> MedplumClient:
    return MedplumClient(
        server.base_url,
        client_id=MiniMedplum.CLIENT_ID,
        client_secret=MiniMedplum.CLIENT_SECRET,
        retry=policy,
        trace_id=trace_id,
    )


def logged_in_async(server: Loopback, policy: RetryPolicy) -> AsyncMedplumClient:
    return AsyncMedplumClient(
        server.base_url,
        client_id=MiniMedplum.CLIENT_ID,
        client_secret=MiniMedplum.CLIENT_SECRET,
        retry=policy,
    )


# -- login -------------------------------------------------------------------------------------


def test_fifty_concurrent_coroutines_share_one_login(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.login_delay = 0.2  # every coroutine is waiting while the login is in flight

    async def main() -> list[str]:
        async with logged_in_async(server, policy) as medplum:
            found = await asyncio.gather(
                *(medplum.read_resource("Patient", "1") for _ in range(50))
            )
            return [p["id"] for p in found]

    assert asyncio.run(main()) == ["1"] * 50
    assert mini.logins == 1
    fhir = server.fhir_requests()
    assert len(fhir) == 50
    assert {s.headers["authorization"] for s in fhir} == {"Bearer token-1"}


def test_concurrent_threads_share_one_login(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.login_delay = 0.2
    with logged_in(server, policy) as medplum, ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: medplum.read_resource("Patient", "1"), range(16)))

    assert len(results) == 16
    assert mini.logins == 1


def test_login_request_is_a_client_credentials_form(server: Loopback, policy: RetryPolicy) -> None:
    with logged_in(server, policy) as medplum:
        answer = medplum.login_client_credentials()

    assert answer["access_token"] == "token-1"
    login = server.seen[0]
    assert (login.method, login.path) == ("POST", "/oauth2/token")
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"grant_type=client_credentials" in login.body
    assert medplum.get_access_token() == "token-1"


def test_an_expired_token_is_renewed_before_the_call(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.expires_in = 0  # already expired when it arrives
    with logged_in(server, policy) as medplum:
        medplum.read_resource("Patient", "1")
        medplum.read_resource("Patient", "1")

    assert mini.logins == 2
    assert [s.headers["authorization"] for s in server.fhir_requests()] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_a_long_lived_token_is_reused(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    with logged_in(server, policy) as medplum:
        for _ in range(3):
            medplum.read_resource("Patient", "1")

    assert mini.logins == 1


def test_a_401_triggers_one_new_login_and_a_retry(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    with logged_in(server, policy) as medplum:
        medplum.read_resource("Patient", "1")
        mini.revoke()  # e.g. the server restarted or the token was revoked
        assert medplum.read_resource("Patient", "1")["id"] == "1"

    assert mini.logins == 2
    statuses = [s.headers["authorization"] for s in server.fhir_requests()]
    assert statuses == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]
    assert waits == []  # a fresh login is not a backoff


def test_concurrent_401s_share_one_fresh_login(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    async def main() -> None:
        async with logged_in_async(server, policy) as medplum:
            await medplum.read_resource("Patient", "1")
            mini.revoke()
            mini.login_delay = 0.1
            await asyncio.gather(*(medplum.read_resource("Patient", "1") for _ in range(20)))

    asyncio.run(main())
    assert mini.logins == 2


def test_a_401_after_a_fresh_login_is_final(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.replies.extend([outcome_reply(401, "Unauthorized", code="login")] * 5)
    with logged_in(server, policy) as medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.read_resource("Patient", "1")

    assert caught.value.status == 401
    assert mini.logins == 2
    assert len(server.fhir_requests()) == 2


def test_a_401_without_credentials_is_final(server: Loopback, policy: RetryPolicy) -> None:
    medplum = MedplumClient(server.base_url, access_token="stale-token-abc", retry=policy)
    with medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.read_resource("Patient", "1")

    assert caught.value.status == 401
    assert len(server.seen) == 1
    assert "stale-token-abc" not in str(caught.value)


def test_rejected_credentials_give_the_server_reason_without_the_secret(
    server: Loopback, policy: RetryPolicy
) -> None:
    medplum = MedplumClient(
        server.base_url,
        client_id="cid",
        client_secret="wrong-secret-value",
        retry=policy,
    )
    with medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.read_resource("Patient", "1")

    assert caught.value.status == 400
    assert str(caught.value) == "HTTP 400: Invalid client or secret"
    assert "wrong-secret-value" not in repr(medplum) + repr(caught.value)


# -- retries -----------------------------------------------------------------------------------


def test_429_is_retried_even_for_a_create_honouring_retry_after(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    mini.replies.extend(
        [
            outcome_reply(429, "Too many requests", code="throttled", Retry_After="2"),
            Reply(201, {**PATIENT, "id": "new"}),
        ]
    )
    with logged_in(server, policy) as medplum:
        created = medplum.create_resource(PATIENT)

    assert created["id"] == "new"
    assert waits == [2.0]
    assert [s.method for s in server.fhir_requests()] == ["POST", "POST"]


def test_retry_after_as_an_http_date(mini: MiniMedplum, server: Loopback, waits: Waits) -> None:
    now = 1_700_000_000.0
    policy = RetryPolicy(sleep=waits.sleep, now=lambda: now)
    later = formatdate(now + 7, usegmt=True)
    mini.replies.extend(
        [Reply(429, "slow down", headers={"Retry-After": later}), Reply(200, PATIENT)]
    )
    with logged_in(server, policy) as medplum:
        medplum.read_resource("Patient", "1")

    assert waits == [7.0]


def test_503_on_a_read_is_retried_with_jittered_exponential_backoff(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    mini.replies.extend([outcome_reply(503, "busy"), outcome_reply(503, "busy")])
    with logged_in(server, policy) as medplum:
        assert medplum.read_resource("Patient", "1")["id"] == "1"

    # random() is 0.5: half of 0.25 * 2**n
    assert waits == [0.125, 0.25]


def test_retries_stop_after_max_attempts(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    mini.replies.extend([outcome_reply(503, "still busy")] * 10)
    with logged_in(server, policy) as medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.search("Patient", {"name": "x"})

    assert caught.value.status == 503
    assert str(caught.value) == "HTTP 503: still busy"
    assert len(server.fhir_requests()) == 4
    assert len(waits) == 3


def test_400_is_never_retried_and_keeps_the_server_outcome(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    bad = outcome_reply(400, "Invalid resource", code="invalid")
    mini.replies.append(bad)
    with logged_in(server, policy) as medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.update_resource({**PATIENT, "id": "1"})

    assert caught.value.status == 400
    assert caught.value.outcome == bad.body
    assert len(server.fhir_requests()) == 1
    assert waits == []


def test_500_on_a_plain_post_is_not_retried(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    mini.replies.append(outcome_reply(500, "boom"))
    with logged_in(server, policy) as medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.post("admin/projects/p1/bot", {"name": "x"})

    assert caught.value.status == 500
    assert len(server.fhir_requests()) == 1
    assert waits == []


def test_500_on_a_post_marked_idempotent_is_retried(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.replies.extend(
        [outcome_reply(500, "boom"), Reply(200, {"resourceType": "OperationOutcome"})]
    )
    with logged_in(server, policy) as medplum:
        medplum.post("fhir/R4/Bot/1/$deploy", {"code": "x"}, idempotent=True)
        mini.replies.extend(
            [outcome_reply(502, "bad gateway"), Reply(201, {"resourceType": "Binary", "id": "b"})]
        )
        assert medplum.create_binary(b"abc", "text/plain")["id"] == "b"  # uploads are idempotent

    assert [s.path for s in server.fhir_requests()] == [
        "/fhir/R4/Bot/1/$deploy",
        "/fhir/R4/Bot/1/$deploy",
        "/fhir/R4/Binary",
        "/fhir/R4/Binary",
    ]


def test_a_dropped_connection_is_retried_for_a_read_only(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.replies.extend([Reply(drop=True), Reply(200, PATIENT)])
    with logged_in(server, policy) as medplum:
        medplum.read_resource("Patient", "1")
        mini.replies.append(Reply(drop=True))
        with pytest.raises(OperationOutcomeError) as caught:
            medplum.create_resource(PATIENT)  # the server may have created it: do not repeat

    assert caught.value.status is None
    assert caught.value.outcome["issue"][0]["code"] == "exception"
    assert "POST http://127.0.0.1" in str(caught.value)
    assert [s.method for s in server.fhir_requests()] == ["GET", "GET", "POST"]


def test_a_refused_connection_is_retried_even_for_a_create(
    policy: RetryPolicy, waits: Waits
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    medplum = MedplumClient(f"http://127.0.0.1:{port}/", access_token="t", retry=policy)
    with medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.create_resource(PATIENT)

    assert len(waits) == 3  # 4 attempts: the request never left this machine
    # Said in plain words, naming the URL, not in the transport's terms.
    assert str(caught.value).startswith(
        f"POST http://127.0.0.1:{port}/fhir/R4/Patient: connection refused by 127.0.0.1:{port}"
    )
    assert "(4 attempts in " in str(caught.value)


def test_async_client_retries_429_with_the_async_sleep(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy, waits: Waits
) -> None:
    mini.replies.extend([outcome_reply(429, "slow", Retry_After="1"), Reply(200, PATIENT)])

    async def main() -> None:
        async with logged_in_async(server, policy) as medplum:
            await medplum.read_resource("Patient", "1")

    asyncio.run(main())
    assert waits == [1.0]


# -- headers and errors ------------------------------------------------------------------------


def test_trace_id_goes_on_every_call(server: Loopback, policy: RetryPolicy) -> None:
    with logged_in(server, policy, trace_id="trace-123") as medplum:
        medplum.read_resource("Patient", "1")
        medplum.create_resource(PATIENT)

    for seen in server.seen:
        assert seen.headers["x-trace-id"] == "trace-123"
        assert seen.headers["traceparent"] == "trace-123"


def test_fhir_writes_are_fhir_json(server: Loopback, policy: RetryPolicy) -> None:
    with logged_in(server, policy) as medplum:
        medplum.create_resource(PATIENT)
        medplum.patch_resource("Patient", "1", [{"op": "remove", "path": "/name"}])

    create, patch = server.fhir_requests()
    assert create.headers["content-type"] == "application/fhir+json"
    assert create.headers["accept"] == "application/fhir+json"
    assert patch.method == "PATCH"
    assert patch.headers["content-type"] == "application/json-patch+json"


def test_a_non_fhir_error_body_becomes_an_operation_outcome(
    mini: MiniMedplum, server: Loopback, policy: RetryPolicy
) -> None:
    mini.replies.append(
        Reply(502, "<html><body>Bad\n gateway</body></html>", content_type="text/html")
    )
    with logged_in(server, policy) as medplum, pytest.raises(OperationOutcomeError) as caught:
        medplum.execute_bot("b1", {"x": 1})

    assert caught.value.status == 502
    issue = caught.value.outcome["issue"][0]
    assert issue["code"] == "exception"
    assert issue["details"]["text"] == "<html><body>Bad gateway</body></html>"


def test_tokens_never_appear_in_errors(server: Loopback, policy: RetryPolicy) -> None:
    def echo_auth(seen: Seen) -> Reply:
        return outcome_reply(403, f"Forbidden for {seen.headers.get('authorization')}")

    with serving(echo_auth) as echo:
        medplum = MedplumClient(echo.base_url, access_token="secret-token-xyz", retry=policy)
        with medplum, pytest.raises(OperationOutcomeError) as caught:
            medplum.read_resource("Patient", "1")

    assert "secret-token-xyz" not in str(caught.value)
    assert "secret-token-xyz" not in repr(caught.value.outcome)
    assert "***" in str(caught.value)
    assert "secret-token-xyz" not in repr(medplum)
