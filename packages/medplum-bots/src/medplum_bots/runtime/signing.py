"""HMAC-SHA256 request signing between the JavaScript forwarder and the HTTP runtime.

The forwarder signs `f"{timestamp}.{bot}.".encode() + body` with the runtime key (a Project
secret on the Medplum side, `MEDPLUM_BOTS_RUNTIME_KEY` on the runtime side) and sends
`X-Medplum-Bots-Timestamp: <unix seconds>` and `X-Medplum-Bots-Signature: v2=<hex>`; `bot` is
the name in the URL (`/bots/{bot}`), so a signed request cannot be redirected to another bot.
The runtime recomputes the MAC, compares in constant time, refuses timestamps more than
`max_age` seconds away from its clock, and refuses a signature it has already accepted
(`ReplayCache`), so a captured request cannot be sent again.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import threading
import time
from collections.abc import Mapping
from typing import Protocol

from medplum_bots.errors import MedplumBotsError

TIMESTAMP_HEADER = "X-Medplum-Bots-Timestamp"
SIGNATURE_HEADER = "X-Medplum-Bots-Signature"
SCHEME = "v2"
DEFAULT_REPLAY_ENTRIES = 500_000
MAX_AGE = 300
MIN_KEY_LENGTH = 32


class SignatureError(MedplumBotsError):
    """A request's signature is missing, malformed, wrong, stale or replayed."""


def sign(key: bytes, timestamp: int, bot: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `f"{timestamp}.{bot}." + body` under `key`."""
    message = f"{timestamp}.{bot}.".encode() + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_headers(
    key: bytes, bot: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """The two headers that authenticate `body` for `/bots/{bot}` (what the forwarder sends)."""
    timestamp = int(time.time() if now is None else now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={sign(key, timestamp, bot, body)}",
    }


def check_key(key: bytes, source: str = "the runtime key") -> bytes:
    """Refuse an empty or short key: a guessable key would let anyone run the bots."""
    if len(key) < MIN_KEY_LENGTH:
        raise SignatureError(
            f"{source} must be at least {MIN_KEY_LENGTH} characters "
            f"(got {len(key)}); generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return key


def verify(
    key: bytes,
    bot: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    max_age: int = MAX_AGE,
) -> tuple[str, int]:
    """Check a request's signature; raise SignatureError naming what is wrong.

    `headers` is looked up case-insensitively. Returns the verified signature (hex) and its
    timestamp, which the caller feeds to a `ReplayCache`.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    raw_signature = lowered.get(SIGNATURE_HEADER.lower())
    if raw_timestamp is None:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} header")
    if raw_signature is None:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    raw_timestamp = raw_timestamp.strip()
    if not raw_timestamp.isdigit() or len(raw_timestamp) > 12:
        raise SignatureError(f"{TIMESTAMP_HEADER} must be whole seconds since 1970")
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > max_age:
        raise SignatureError(
            f"{TIMESTAMP_HEADER} is more than {max_age} seconds away from the runtime's clock"
        )
    expected = sign(key, timestamp, bot, body)
    for candidate in raw_signature.split(","):
        scheme, _, value = candidate.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.strip().lower(), expected):
            return expected, timestamp
    raise SignatureError(f"{SIGNATURE_HEADER} does not match the request body and bot")


class ReplayWindowFull(SignatureError):
    """The replay cache holds as many live signatures as it may: refuse rather than forget."""


class ReplayStore(Protocol):
    """Where accepted signatures are remembered until they expire.

    `add(key, expires, now)` records `key` and returns True, or returns False when `key` is
    already there and not expired; it raises ReplayWindowFull rather than forget a live entry.
    Several runtime replicas behind one URL share one store (see docs/runtime.md); the default
    `ReplayCache` is per process.
    """

    def add(self, key: bytes, expires: float, now: float) -> bool: ...


class ReplayCache:
    """In-process `ReplayStore`: signatures still inside their window, refused a second time.

    An entry lives until its timestamp can no longer pass `verify` (timestamp + max_age).
    At most `max_entries` live entries (about 120 bytes each): when full, new requests are
    refused (ReplayWindowFull) instead of evicting a live entry, which would let its request
    be replayed. The default holds 500,000: 1,600 requests/s sustained over a 5-minute window.
    """

    def __init__(self, max_entries: int = DEFAULT_REPLAY_ENTRIES) -> None:
        self.max_entries = max_entries
        self._seen: set[bytes] = set()
        self._expiry: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()

    def add(self, key: bytes, expires: float, now: float) -> bool:
        with self._lock:
            while self._expiry and self._expiry[0][0] <= now:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            if key in self._seen:
                return False
            if len(self._seen) >= self.max_entries:
                raise ReplayWindowFull(
                    f"runtime busy: {self.max_entries} requests inside the replay window"
                )
            self._seen.add(key)
            heapq.heappush(self._expiry, (expires, key))
            return True

    def __len__(self) -> int:
        return len(self._seen)


def check_replay(
    store: ReplayStore, signature: str, timestamp: int, now: float, max_age: int = MAX_AGE
) -> None:
    """Remember an accepted signature, or raise SignatureError if it was seen in its window."""
    # 16 bytes of a verified HMAC identify it; the entry outlives the last moment `verify`
    # would accept its timestamp.
    key = bytes.fromhex(signature[:32])
    if not store.add(key, timestamp + max_age + 1, now):
        raise SignatureError("this request was already received (replayed signature)")
