"""HMAC-SHA256 request signing between the JavaScript forwarder and the HTTP runtime.

The forwarder signs `f"{timestamp}.{bot}.".encode() + body` with the runtime key (a Project
secret on the Medplum side, `MEDPLUM_BOTS_RUNTIME_KEY` on the runtime side) and sends
`X-Medplum-Bots-Timestamp: <unix seconds>` and `X-Medplum-Bots-Signature: v2=<hex>`; `bot` is
the name in the URL (`/bots/{bot}`), so a signed request cannot be redirected to another bot.
Both headers have exactly one spelling (`TIMESTAMP`, `SIGNATURE`): anything else is refused
before the MAC is computed. The runtime recomputes the MAC, compares in constant time, refuses
timestamps more than `max_age` seconds away from its clock, and refuses a signature it has
already accepted (`replay_key`, remembered by the runtime's store: `runtime.store`), so a
captured request cannot be sent again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

from medplum_bots.errors import MedplumBotsError

TIMESTAMP_HEADER = "X-Medplum-Bots-Timestamp"
SIGNATURE_HEADER = "X-Medplum-Bots-Signature"
SCHEME = "v2"
MAX_AGE = 300
MIN_KEY_LENGTH = 32
# The only spellings accepted: whole seconds without leading zeros, `v2=` + lowercase hex.
TIMESTAMP = re.compile(r"(?:0|[1-9][0-9]{0,11})")
SIGNATURE = re.compile(r"v2=([0-9a-f]{64})")


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
    timestamp, which the caller hands to the runtime's store (`store.RuntimeStore.admit`).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    raw_signature = lowered.get(SIGNATURE_HEADER.lower())
    if raw_timestamp is None:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} header")
    if raw_signature is None:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if not TIMESTAMP.fullmatch(raw_timestamp):
        raise SignatureError(f"{TIMESTAMP_HEADER} must be whole seconds since 1970")
    match = SIGNATURE.fullmatch(raw_signature)
    if match is None:
        raise SignatureError(f"{SIGNATURE_HEADER} must be exactly v2=<64 lowercase hex digits>")
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > max_age:
        raise SignatureError(
            f"{TIMESTAMP_HEADER} is more than {max_age} seconds away from the runtime's clock"
        )
    expected = sign(key, timestamp, bot, body)
    if not hmac.compare_digest(match.group(1), expected):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the request body and bot")
    return expected, timestamp


def replay_key(signature: str) -> bytes:
    """What the replay memory keeps of a verified signature: 16 bytes of the HMAC identify it."""
    return bytes.fromhex(signature[:32])


def replay_expiry(timestamp: int, max_age: int = MAX_AGE) -> float:
    """Past this moment `verify` refuses the timestamp anyway, so the memory may forget it."""
    return float(timestamp + max_age + 1)
