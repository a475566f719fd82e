"""Several runtime replicas behind one URL: a request replayed to another replica.

The replay cache is per process by default; replicas given one shared `ReplayStore` refuse a
request any of them already accepted (docs/runtime.md says how to plug in a shared store).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from medplum_bots import InMemoryMedplum
from medplum_bots.runtime.adapter import BotRegistry, make_payload
from medplum_bots.runtime.http_app import BotRuntime
from medplum_bots.runtime.signing import ReplayCache, ReplayStore, signature_headers
from tests.runtime.bots import ALL, BASE_URL, CALLS, KEY
from tests.runtime.serving import serve_asgi

PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Jane"], "family": "Doe"}]}


def replicas(store: ReplayStore | None, stack: ExitStack) -> list[str]:
    medplum = InMemoryMedplum()
    urls = []
    for _ in range(2):
        app = BotRuntime(
            BotRegistry(ALL),
            key=KEY,
            allowed_base_urls=[BASE_URL],
            transport=medplum,
            replays=store,  # None: each replica its own in-process cache
        )
        urls.append(stack.enter_context(serve_asgi(app)))
    return urls


@pytest.fixture
def signed() -> Iterator[tuple[bytes, dict[str, str]]]:
    body = json.dumps(make_payload(PATIENT, base_url=BASE_URL, access_token="t" * 20)).encode()
    yield body, signature_headers(KEY, "hello", body)


def test_replicas_sharing_a_store_refuse_a_replay_to_another_replica(
    signed: tuple[bytes, dict[str, str]],
) -> None:
    body, headers = signed
    with ExitStack() as stack:
        first, second = replicas(ReplayCache(), stack)
        assert httpx.post(f"{first}/bots/hello", content=body, headers=headers).status_code == 200
        ran = len(CALLS.names)
        again = httpx.post(f"{second}/bots/hello", content=body, headers=headers)
        assert again.status_code == 401 and "replayed" in again.text
        assert len(CALLS.names) == ran


def test_replicas_with_their_own_caches_each_accept_it_once(
    signed: tuple[bytes, dict[str, str]],
) -> None:
    # The documented limit of the default: a replay within 5 minutes reaches at most one
    # bot run per replica (so: one replica, or a shared store).
    body, headers = signed
    with ExitStack() as stack:
        first, second = replicas(None, stack)
        for url in (first, second):
            assert httpx.post(f"{url}/bots/hello", content=body, headers=headers).status_code == 200
        for url in (first, second):
            assert httpx.post(f"{url}/bots/hello", content=body, headers=headers).status_code == 401
