"""The runtime's store: replays and the newest deploy of each Bot, in process and in Redis.

Every rule is checked against both stores; the Redis one against a real `redis-server`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime.store import (
    Mark,
    MemoryStore,
    RedisStore,
    ReplayCache,
    Replayed,
    RolledBack,
    RuntimeStore,
    StoreUnavailable,
    store_from_env,
)
from tests.runtime.redis_server import RedisServer, redis_server

# Redis expires keys by its own clock: the window is real time.
NOW = float(int(time.time()))
EXPIRES = NOW + 301


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


StoreFactory = Callable[[], RuntimeStore]


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    if request.param == "memory":
        shared = MemoryStore()
        yield lambda: shared
        return
    with redis_server() as server:
        yield lambda: RedisStore(server.url)


def run(make: StoreFactory, scenario: Callable[[RuntimeStore], Awaitable[None]]) -> None:
    async def main() -> None:
        store = make()
        try:
            await scenario(store)
        finally:
            await store.aclose()

    asyncio.run(main())


def test_a_request_is_admitted_once(make_store: StoreFactory) -> None:
    async def scenario(store: RuntimeStore) -> None:
        await store.admit(b"a" * 16, EXPIRES, NOW, None)
        await store.admit(b"b" * 16, EXPIRES, NOW, None)
        with pytest.raises(Replayed, match="already received"):
            await store.admit(b"a" * 16, EXPIRES, NOW + 10, None)

    run(make_store, scenario)


def test_an_older_deploy_is_refused_after_a_newer_one(make_store: StoreFactory) -> None:
    async def scenario(store: RuntimeStore) -> None:
        await store.admit(b"1" * 16, EXPIRES, NOW, Mark("production", "b1", 100))
        await store.admit(b"2" * 16, EXPIRES, NOW, Mark("production", "b1", 200))
        with pytest.raises(RolledBack) as caught:
            await store.admit(b"3" * 16, EXPIRES, NOW, Mark("production", "b1", 100))
        text = str(caught.value)
        assert "production/Bot/b1" in text and "sequence 100, older than sequence 200" in text
        assert "\n" not in text
        # The same deploy runs again and again; a newer one moves the mark.
        await store.admit(b"4" * 16, EXPIRES, NOW, Mark("production", "b1", 200))
        await store.admit(b"5" * 16, EXPIRES, NOW, Mark("production", "b1", 300))
        with pytest.raises(RolledBack):
            await store.admit(b"6" * 16, EXPIRES, NOW, Mark("production", "b1", 200))
        # Marks are per Bot and per environment.
        await store.admit(b"7" * 16, EXPIRES, NOW, Mark("staging", "b1", 100))
        await store.admit(b"8" * 16, EXPIRES, NOW, Mark("production", "b2", 100))

    run(make_store, scenario)


def test_a_refused_rollback_remembers_nothing(make_store: StoreFactory) -> None:
    async def scenario(store: RuntimeStore) -> None:
        await store.admit(b"1" * 16, EXPIRES, NOW, Mark("staging", "b1", 200))
        with pytest.raises(RolledBack):
            await store.admit(b"2" * 16, EXPIRES, NOW, Mark("staging", "b1", 100))
        # Its signature was not spent: nothing about it was admitted.
        await store.admit(b"2" * 16, EXPIRES, NOW, Mark("staging", "b1", 200))

    run(make_store, scenario)


def test_redis_forgets_replays_when_their_window_ends(redis: RedisServer) -> None:
    async def scenario(store: RuntimeStore) -> None:
        now = time.time()
        await store.admit(b"x" * 16, now + 1, now, None)
        with pytest.raises(Replayed):
            await store.admit(b"x" * 16, now + 1, now, None)
        await asyncio.sleep(2.1)
        await store.admit(b"x" * 16, time.time() + 1, time.time(), None)

    run(lambda: RedisStore(redis.url), scenario)


def test_a_second_store_on_the_same_redis_agrees(redis: RedisServer) -> None:
    # What two replicas, or one runtime before and after a restart, see.
    async def first(store: RuntimeStore) -> None:
        await store.admit(b"r" * 16, EXPIRES + 1e9, NOW, Mark("production", "b1", 200))

    async def second(store: RuntimeStore) -> None:
        with pytest.raises(Replayed):
            await store.admit(b"r" * 16, EXPIRES + 1e9, NOW, Mark("production", "b1", 200))
        with pytest.raises(RolledBack):
            await store.admit(b"s" * 16, EXPIRES + 1e9, NOW, Mark("production", "b1", 100))

    run(lambda: RedisStore(redis.url), first)
    run(lambda: RedisStore(redis.url), second)


def test_redis_down_refuses_with_one_line(redis: RedisServer) -> None:
    url = f"redis://:hunter2-password@127.0.0.1:{redis.port}/0"
    redis.stop()

    async def scenario(store: RuntimeStore) -> None:
        with pytest.raises(StoreUnavailable) as caught:
            await store.admit(b"d" * 16, EXPIRES, NOW, Mark("production", "b1", 1))
        text = str(caught.value)
        assert text.startswith(f"shared store unavailable (redis://127.0.0.1:{redis.port}/0: ")
        assert "refusing to run bots without replay and rollback checks" in text
        assert "hunter2" not in text and "\n" not in text

    run(lambda: RedisStore(url), scenario)


def test_store_from_env() -> None:
    assert isinstance(store_from_env(""), MemoryStore)
    assert isinstance(store_from_env(" redis://127.0.0.1:1/0 "), RedisStore)
    with pytest.raises(MedplumBotsError, match="must be a redis://, rediss:// or unix:// URL"):
        store_from_env("http://127.0.0.1:6379")


def test_the_memory_replay_cache_refuses_instead_of_forgetting() -> None:
    cache = ReplayCache(max_entries=3)
    keys = [bytes([n]) * 16 for n in range(4)]
    for key in keys[:3]:
        assert cache.add(key, EXPIRES, NOW)
    with pytest.raises(StoreUnavailable, match="busy"):
        cache.add(keys[3], EXPIRES, NOW + 1)
    # The oldest entry was not evicted: its replay is still refused.
    assert not cache.add(keys[0], EXPIRES, NOW + 1)
    # Room again once entries leave the window.
    assert cache.add(keys[3], EXPIRES + 310, EXPIRES)


def test_memory_entries_leave_in_expiry_order_even_when_they_arrived_out_of_order() -> None:
    cache = ReplayCache()
    assert cache.add(b"1" * 16, NOW + 401, NOW)  # a client clock ahead
    assert cache.add(b"2" * 16, NOW + 201, NOW)  # one behind
    assert cache.add(b"3" * 16, NOW + 502, NOW + 201)
    assert len(cache) == 2  # the one behind expired; the one ahead is still guarded
    assert not cache.add(b"1" * 16, NOW + 401, NOW + 201)
