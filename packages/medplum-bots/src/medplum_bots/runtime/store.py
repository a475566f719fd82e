"""What the runtime remembers between requests: replays and the newest deploy of each Bot.

Every request the runtime is about to run is admitted by its store, once, atomically:
- its request signature must not have been admitted before (the replay memory keeps it until
  `verify` would refuse its timestamp anyway);
- when it runs a signed artifact, that deploy's sequence must not be older than the newest
  the store has admitted for the same Bot in the same environment (its *mark*), and the mark
  moves up to it.

`MemoryStore` (the default) keeps both in the process: right for one replica, forgotten on a
restart. `RedisStore` keeps them in Redis, so every replica sharing it agrees and a restart
forgets nothing; when Redis cannot answer, requests are refused (`StoreUnavailable`, 503),
never run unchecked. docs/runtime.md says exactly what holds with each.
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime.signing import SignatureError

if TYPE_CHECKING:  # `redis` is the `redis` extra's; imported when a RedisStore is made
    from redis.asyncio import Redis

DEFAULT_REPLAY_ENTRIES = 500_000
REDIS_URL_VAR = "MEDPLUM_BOTS_REDIS_URL"
DEFAULT_PREFIX = "medplum-bots"
# Redis gets this long to answer before the request is refused (URL options override it).
REDIS_TIMEOUT = 2.0


class Replayed(SignatureError):
    """This request signature was admitted before."""


class RolledBack(MedplumBotsError):
    """The artifact's deploy is older than the newest one run for its Bot."""


class StoreUnavailable(MedplumBotsError):
    """The store cannot admit anything now (full, or unreachable): refuse, do not run."""


@dataclass(frozen=True)
class Mark:
    """A deploy of one Bot in one environment, by its sequence (`deploy_keys.DeployStatement`)."""

    environment: str
    bot_id: str
    sequence: int

    @property
    def name(self) -> str:
        return f"{self.environment}/Bot/{self.bot_id}"


class RuntimeStore(Protocol):
    """Admits a request once: see the module docstring."""

    async def admit(self, replay: bytes, expires: float, now: float, mark: Mark | None) -> None:
        """Remember `replay` until `expires` and move `mark`'s Bot up to it.

        Raises Replayed, RolledBack (nothing remembered then) or StoreUnavailable.
        """
        ...

    async def aclose(self) -> None: ...


def rolled_back(mark: Mark, newest: int) -> RolledBack:
    return RolledBack(
        f"{mark.name}: this artifact was deployed with sequence {mark.sequence}, older than "
        f"sequence {newest} this runtime already ran; an older deploy never runs again (to "
        "roll back, deploy the old code again with `invoke deploy`: a new deploy, a new sequence)"
    )


class ReplayCache:
    """In-process replay memory: signatures still inside their window, refused a second time.

    An entry lives until its expiry (the last moment `signing.verify` would accept its
    timestamp). At most `max_entries` live entries (about 120 bytes each): when full, new
    requests are refused (StoreUnavailable) instead of evicting a live entry, which would let
    its request be replayed. The default holds 500,000: 1,600 requests/s over 5 minutes.
    """

    def __init__(self, max_entries: int = DEFAULT_REPLAY_ENTRIES) -> None:
        self.max_entries = max_entries
        self._seen: set[bytes] = set()
        self._expiry: list[tuple[float, bytes]] = []

    def add(self, key: bytes, expires: float, now: float) -> bool:
        """Remember `key` (True), or False when it is remembered already. Not locked."""
        while self._expiry and self._expiry[0][0] <= now:
            self._seen.discard(heapq.heappop(self._expiry)[1])
        if key in self._seen:
            return False
        if len(self._seen) >= self.max_entries:
            raise StoreUnavailable(
                f"runtime busy: {self.max_entries} requests inside the replay window"
            )
        self._seen.add(key)
        heapq.heappush(self._expiry, (expires, key))
        return True

    def __len__(self) -> int:
        return len(self._seen)


class MemoryStore:
    """The one-replica store: replays and marks in this process, gone when it stops."""

    def __init__(self, max_entries: int = DEFAULT_REPLAY_ENTRIES) -> None:
        self.replays = ReplayCache(max_entries)
        self.marks: dict[str, int] = {}
        # Requests are admitted from the event loop and from tests' threads alike.
        self._lock = threading.Lock()

    async def admit(self, replay: bytes, expires: float, now: float, mark: Mark | None) -> None:
        with self._lock:
            if mark is not None:
                newest = self.marks.get(mark.name, 0)
                if mark.sequence < newest:
                    raise rolled_back(mark, newest)
            if not self.replays.add(replay, expires, now):
                raise Replayed("this request was already received (replayed signature)")
            if mark is not None and mark.sequence > self.marks.get(mark.name, 0):
                self.marks[mark.name] = mark.sequence

    async def aclose(self) -> None:
        return None


# One round trip, atomic on the server: the mark is read, the replay key set (NX: refused
# when present, expiring by itself at the end of its window) and the mark raised together.
# Both keys share a hash tag (the Bot), so the script also runs on a Redis Cluster.
ADMIT_SCRIPT = """
local newest = false
if KEYS[2] then
  newest = redis.call('GET', KEYS[2])
  if newest and tonumber(newest) > tonumber(ARGV[2]) then
    return {1, newest}
  end
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EXAT', ARGV[1]) then
  return {2, ''}
end
if KEYS[2] and ((not newest) or tonumber(newest) < tonumber(ARGV[2])) then
  redis.call('SET', KEYS[2], ARGV[2])
end
return {0, ''}
"""


class RedisStore:
    """The shared store: replays and marks in Redis, for every replica and across restarts.

    Keys: `<prefix>:{<env>/Bot/<id>}:replay:<hex>` (expire with their window) and
    `<prefix>:{<env>/Bot/<id>}:newest` (the mark, a few bytes per Bot, never expires). Redis
    must keep what it is given: `maxmemory-policy noeviction` (its default), since an evicted
    key would let a replay or an older deploy through; a write it refuses is a 503.
    """

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX) -> None:
        try:
            from redis.asyncio import Redis
        except ImportError:  # pragma: no cover - the extra is part of the runtime image
            raise MedplumBotsError(
                f"{REDIS_URL_VAR} is set but the `redis` package is not installed: "
                "install medplum-bots[redis]"
            ) from None
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise MedplumBotsError(
                f"{REDIS_URL_VAR} must be a redis://, rediss:// or unix:// URL, got "
                f"{parts.scheme or 'no'} scheme"
            )
        # Never print the password: the URL is named by host and port only.
        self.where = f"{parts.scheme}://{parts.hostname or ''}{_port(parts.port)}{parts.path}"
        self.prefix = prefix
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )
        self._script = self._redis.register_script(ADMIT_SCRIPT)

    async def admit(self, replay: bytes, expires: float, now: float, mark: Mark | None) -> None:
        from redis.exceptions import RedisError

        tag = "{" + (mark.name if mark is not None else "requests") + "}"
        keys = [f"{self.prefix}:{tag}:replay:{replay.hex()}"]
        if mark is not None:
            keys.append(f"{self.prefix}:{tag}:newest")
        args = [int(expires), mark.sequence if mark is not None else 0]
        try:
            answer: Any = await self._script(keys=keys, args=args)
        except RedisError as error:
            raise StoreUnavailable(
                f"shared store unavailable ({self.where}: {type(error).__name__}); "
                "refusing to run bots without replay and rollback checks"
            ) from None
        verdict = int(answer[0])
        if verdict == 1:
            assert mark is not None
            raise rolled_back(mark, int(answer[1]))
        if verdict == 2:
            raise Replayed("this request was already received (replayed signature)")

    async def aclose(self) -> None:
        await self._redis.aclose()


def _port(port: int | None) -> str:
    return f":{port}" if port else ""


def store_from_env(url: str, max_entries: int = DEFAULT_REPLAY_ENTRIES) -> RuntimeStore:
    """`MEDPLUM_BOTS_REDIS_URL` set: a RedisStore; empty: the in-process MemoryStore."""
    if url.strip():
        return RedisStore(url.strip())
    return MemoryStore(max_entries)
