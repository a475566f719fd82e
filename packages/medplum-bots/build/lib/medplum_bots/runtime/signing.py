"""HMAC-SHA256 request signing between the JavaScript forwarder and the HTTP runtime.

The forwarder signs `f"{timestamp}.".encode() + body` with the runtime key (a Project secret
on the Medplum side, `MEDPLUM_BOTS_RUNTIME_KEY` on the runtime side) and sends
`X-Medplum-Bots-Timestamp: <unix seconds>` and `X-Medplum-Bots-Signature: v1=<hex>`.
The runtime recomputes the MAC, compares in constant time, refuses timestamps more than
`max_age` seconds away from its clock, and refuses a signature it has already accepted
(`ReplayCache`), so a captured request cannot be sent again.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping

from medplum_bots.errors import MedplumBotsError

TIMESTAMP_HEADER = "X-Medplum-Bots-Timestamp"
SIGNATURE_HEADER = "X-Medplum-Bots-Signature"
SCHEME = "v1"
MAX_AGE = 300
MIN_KEY_LENGTH = 32


class SignatureError(MedplumBotsError):
    """A request's signature is missing, malformed, wrong, stale or replayed."""


def sign(key: bytes, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `f"{timestamp}." + body` under `key`."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_headers(key: bytes, body: bytes, now: float | None = None) -> dict[str, str]:
    """The two headers that authenticate `body` (what the forwarder sends)."""
    timestamp = int(time.time() if now is None else now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: f"{SCHEME}={sign(key, timestamp, body)}",
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
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    max_age: int = MAX_AGE,
) -> str:
    """Check a request's signature; raise SignatureError naming what is wrong.

    `headers` is looked up case-insensitively. Returns the verified signature (hex), which
    the caller feeds to a `ReplayCache`.
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
    expected = sign(key, timestamp, body)
    for candidate in raw_signature.split(","):
        scheme, _, value = candidate.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.strip().lower(), expected):
            return expected
    raise SignatureError(f"{SIGNATURE_HEADER} does not match the request body")


class ReplayCache:
    """Signatures accepted within the last `max_age` seconds; a second use is refused.

    Bounded: past `max_entries` the oldest entries are dropped first. The cache lives in one
    process; several runtime replicas each keep their own.
    """

    def __init__(self, max_age: int = MAX_AGE, max_entries: int = 65_536) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_add(self, signature: str, now: float) -> None:
        """Remember `signature`, or raise SignatureError if it was seen within the window."""
        with self._lock:
            while self._seen:
                oldest, expires = next(iter(self._seen.items()))
                if expires > now and len(self._seen) < self.max_entries:
                    break
                del self._seen[oldest]
            if signature in self._seen:
                raise SignatureError("this request was already received (replayed signature)")
            # An entry must outlive the largest clock skew `verify` accepts on either side.
            self._seen[signature] = now + 2 * self.max_age

    def __len__(self) -> int:
        return len(self._seen)
