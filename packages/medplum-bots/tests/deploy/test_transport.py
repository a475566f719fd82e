"""The deployer's connections: httpx's own transport, bounded by `--jobs`, over real sockets.

`EnvironmentSession.open` builds the client a deploy runs on. These tests pin what the deployer
relies on from it: keep-alive, at most `concurrency` connections and requests in flight, a
retry after a dropped connection, and proxies read from the environment (HTTP(S)_PROXY,
NO_PROXY) by httpx itself. Scripted servers (`tests/client/raw_server.py`) count connections.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from medplum_standin import MedplumStandIn
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID

from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import Environment
from medplum_bots.deploy.credentials import CLIENT_ID as CLIENT_ID_NAME
from medplum_bots.deploy.credentials import CLIENT_SECRET as CLIENT_SECRET_NAME
from medplum_bots.deploy.credentials import Credentials, Redactor
from medplum_bots.deploy.session import EnvironmentSession
from tests.client.raw_server import Act, RawRequest, RawServer, http_response

PROXY_VARIABLES = [
    variant
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    for variant in (name, name.upper())
]


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No proxy variable from the machine running the tests (each test sets its own)."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    yield monkeypatch


def no_wait_policy() -> RetryPolicy:
    async def no_sleep(seconds: float) -> None:
        return None

    return RetryPolicy(max_attempts=3, async_sleep=no_sleep, sleep=lambda seconds: None)


async def open_session(base_url: str, concurrency: int = 4) -> EnvironmentSession:
    """The session `invoke deploy` opens for one environment (no transport injected)."""
    environment = Environment("staging", base_url, project_id=PROJECT_ID)
    credentials = Credentials(
        "staging",
        base_url,
        CLIENT_ID,
        CLIENT_SECRET,
        {CLIENT_ID_NAME: "STAGING_MEDPLUM_CLIENT_ID", CLIENT_SECRET_NAME: "a test"},
    )
    return await EnvironmentSession.open(
        environment,
        credentials,
        redactor=Redactor(),
        retry=no_wait_policy(),
        timeout=5.0,
        concurrency=concurrency,
    )


def json_answer(body: dict[str, Any]) -> bytes:
    return http_response(200, json.dumps(body).encode(), [("Content-Type", "application/json")])


TOKEN = json_answer(
    {
        "access_token": "token-1",
        "token_type": "Bearer",
        "expires_in": 3600,
        "project": {"reference": f"Project/{PROJECT_ID}"},
    }
)


def medplum_like(hold: float = 0.0) -> Any:
    """A scripted Medplum: a token for the login, a Bot for every other request."""

    def handler(request: RawRequest) -> Act:
        if request.target.endswith("oauth2/token"):
            return Act(TOKEN)
        bot_id = request.target.rsplit("/", 1)[-1]
        return Act(json_answer({"resourceType": "Bot", "id": bot_id}), hold=hold)

    return handler


def test_requests_one_after_another_share_one_connection() -> None:
    """Keep-alive: the login and five reads in a row travel over one connection."""
    with RawServer(medplum_like()) as server:

        async def main() -> list[str]:
            session = await open_session(server.url("/"))
            try:
                return [
                    (await session.client.read_resource("Bot", f"b{n}"))["id"] for n in range(5)
                ]
            finally:
                await session.close()

        ids = asyncio.run(main())
    assert ids == [f"b{n}" for n in range(5)]
    assert server.accepted == 1
    assert len(server.requests) == 6


def test_at_most_concurrency_connections_and_requests_in_flight() -> None:
    """Twelve reads started at once with concurrency 3: the server never sees more than three
    connections or three requests at a time, and every read gets its answer."""
    with RawServer(medplum_like(hold=0.05)) as server:

        async def main() -> list[str]:
            session = await open_session(server.url("/"), concurrency=3)
            try:
                reads = (session.client.read_resource("Bot", f"b{n}") for n in range(12))
                return [bot["id"] for bot in await asyncio.gather(*reads)]
            finally:
                await session.close()

        ids = asyncio.run(main())
    assert ids == [f"b{n}" for n in range(12)]
    assert server.max_in_flight == 3
    assert server.max_open <= 3


def test_a_dropped_connection_is_retried_on_a_new_one(
    medplum_standin: MedplumStandIn,
) -> None:
    """The stand-in drops the connection of a GET without answering: the client's retry gets
    the Bot over a fresh connection."""
    bot = medplum_standin.seed({"resourceType": "Bot", "name": "b"}, PROJECT_ID)
    medplum_standin.faults.add(method="GET", path=r"/Bot/", drop=True, status=None, times=1)

    async def main() -> Mapping[str, Any]:
        session = await open_session(medplum_standin.base_url)
        try:
            return await session.client.read_resource("Bot", bot["id"])
        finally:
            await session.close()

    assert asyncio.run(main())["id"] == bot["id"]
    assert not medplum_standin.faults.pending()
    gets = [r.status for r in medplum_standin.requests if r.method == "GET"]
    assert gets == [0, 200]  # 0: dropped


def test_requests_go_through_the_proxy_the_environment_names(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    """HTTP_PROXY set: the login and the reads reach the proxy as proxy requests (absolute
    targets); a proxy is often a CI runner's only way out."""
    with RawServer(medplum_like()) as proxy:
        no_proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")

        async def main() -> str:
            session = await open_session("http://medplum.invalid/")
            try:
                bot = await session.client.read_resource("Bot", "b1")
                return str(bot["id"])
            finally:
                await session.close()

        assert asyncio.run(main()) == "b1"
    assert [r.target for r in proxy.requests] == [
        "http://medplum.invalid/oauth2/token",
        "http://medplum.invalid/fhir/R4/Bot/b1",
    ]


def test_no_proxy_sends_the_host_direct(
    no_proxy_env: pytest.MonkeyPatch, medplum_standin: MedplumStandIn
) -> None:
    """NO_PROXY naming the host wins over HTTP_PROXY (here a port nothing listens on)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        closed_port = sock.getsockname()[1]
    no_proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port}")
    no_proxy_env.setenv("NO_PROXY", "127.0.0.1")
    bot = medplum_standin.seed({"resourceType": "Bot", "name": "b"}, PROJECT_ID)

    async def main() -> str:
        session = await open_session(medplum_standin.base_url)
        try:
            return str((await session.client.read_resource("Bot", bot["id"]))["id"])
        finally:
            await session.close()

    assert asyncio.run(main()) == bot["id"]
