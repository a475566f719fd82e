"""Deploy keys: the deployer signs each artifact it deploys, the runtime runs only those.

Each environment has an Ed25519 key pair. The private half stays with whoever deploys (a CI
secret or a developer's `.env`, as `<PREFIX>MEDPLUM_BOTS_DEPLOY_KEY`); the runtime is given
the public halves it trusts (`MEDPLUM_BOTS_TRUSTED_KEYS`, comma-separated, several during a
rotation). A signature covers the bot's name and the artifact's SHA-256 (see `statement`):
the Project secret the forwarder signs requests with does not let anyone run other code, and
a staging key means nothing to a runtime that trusts only the production key.

Keys are written `ed25519-private:<base64url>` and `ed25519:<base64url>` (32 raw bytes each);
a key's id is the first 16 hex digits of the SHA-256 of its raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medplum_bots.errors import MedplumBotsError

if TYPE_CHECKING:  # imported where used: a one-bot Lambda zip runs without `cryptography`
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

DEPLOY_KEY_VAR = "MEDPLUM_BOTS_DEPLOY_KEY"
TRUSTED_KEYS_VAR = "MEDPLUM_BOTS_TRUSTED_KEYS"
PRIVATE_PREFIX = "ed25519-private:"
PUBLIC_PREFIX = "ed25519:"
STATEMENT_TAG = "medplum-bots artifact v1"
REQUEST_TAG = "medplum-bots deployer request v1"
# A signed deployer request (`/capabilities`) older than this is refused.
REQUEST_MAX_AGE = 300


class DeployKeyError(MedplumBotsError):
    """A deploy key is malformed, or a signature does not verify against a trusted key."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DeployKeyError(f"{what} is not base64url") from None
    if len(raw) != 32:
        raise DeployKeyError(f"{what} must hold 32 bytes, got {len(raw)}")
    return raw


def key_id(public: Ed25519PublicKey) -> str:
    """Short, stable name of a public key (safe to print)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


@dataclass(frozen=True)
class KeyPair:
    """A freshly generated key pair, as text (what `invoke deploy-key` prints)."""

    private: str
    public: str
    id: str


def generate() -> KeyPair:
    """A new Ed25519 key pair."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key()
    return KeyPair(
        private=PRIVATE_PREFIX + _b64(raw),
        public=public_text(public),
        id=key_id(public),
    )


def public_text(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return PUBLIC_PREFIX + _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def load_private(text: str, source: str = DEPLOY_KEY_VAR) -> Ed25519PrivateKey:
    """Parse `ed25519-private:<base64url>`; the message never contains the key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    value = text.strip()
    if not value.startswith(PRIVATE_PREFIX):
        raise DeployKeyError(
            f"{source} must start with {PRIVATE_PREFIX!r} (make one with `invoke deploy-key`)"
        )
    return Ed25519PrivateKey.from_private_bytes(_unb64(value[len(PRIVATE_PREFIX) :], source))


def load_public(text: str, source: str = TRUSTED_KEYS_VAR) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    value = text.strip()
    if not value.startswith(PUBLIC_PREFIX):
        raise DeployKeyError(f"{source}: a public key starts with {PUBLIC_PREFIX!r}")
    return Ed25519PublicKey.from_public_bytes(_unb64(value[len(PUBLIC_PREFIX) :], source))


class TrustedKeys:
    """The public keys a runtime accepts signatures from, by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey]) -> None:
        self._keys = {key_id(k): k for k in keys}

    @classmethod
    def parse(cls, text: str, source: str = TRUSTED_KEYS_VAR) -> TrustedKeys:
        """Comma-separated `ed25519:...` keys."""
        return cls(load_public(part, source) for part in text.split(",") if part.strip())

    def ids(self) -> list[str]:
        return sorted(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def verify(self, kid: str, signature_b64: str, message: bytes, what: str) -> None:
        """Raise DeployKeyError unless `kid` is trusted and signed `message`."""
        from cryptography.exceptions import InvalidSignature

        public = self._keys.get(kid)
        if public is None:
            raise DeployKeyError(
                f"{what} is signed by deploy key {kid[:16]!r}, which this runtime does not "
                f"trust (it trusts {', '.join(self.ids()) or 'no key'}; see {TRUSTED_KEYS_VAR})"
            )
        try:
            signature = base64.urlsafe_b64decode(signature_b64 + "=" * (-len(signature_b64) % 4))
            public.verify(signature, message)
        except (InvalidSignature, binascii.Error, ValueError):
            raise DeployKeyError(f"{what}: the deploy signature does not match") from None


def statement(bot: str, sha256: str) -> bytes:
    """What a deploy signature covers: the bot's name and its artifact's content hash."""
    return f"{STATEMENT_TAG}\n{bot}\n{sha256}".encode()


@dataclass(frozen=True)
class ArtifactSignature:
    """The deploy signature the forwarder carries next to the artifact."""

    key_id: str
    signature: str  # base64url Ed25519 signature of `statement(bot, sha256)`


def sign_artifact(private: Ed25519PrivateKey, bot: str, sha256: str) -> ArtifactSignature:
    raw = private.sign(statement(bot, sha256))
    return ArtifactSignature(key_id(private.public_key()), _b64(raw))


def sign_request(
    private: Ed25519PrivateKey, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """Headers authenticating a deployer's request to a runtime (e.g. `/capabilities`)."""
    timestamp = int(time.time() if now is None else now)
    message = _request_message(path, timestamp, body)
    value = f"{key_id(private.public_key())}:{_b64(private.sign(message))}"
    return {"X-Medplum-Bots-Timestamp": str(timestamp), "X-Medplum-Bots-Deployer": value}


def verify_request(
    keys: TrustedKeys, path: str, headers: Mapping[str, str], body: bytes, now: float
) -> str:
    """Check a deployer request; returns the key id. DeployKeyError says what is wrong."""
    lowered = {k.lower(): v for k, v in headers.items()}
    raw_timestamp = lowered.get("x-medplum-bots-timestamp", "").strip()
    kid, _, signature = lowered.get("x-medplum-bots-deployer", "").partition(":")
    if not raw_timestamp.isdigit() or not signature:
        raise DeployKeyError("a deployer request needs a timestamp and a deploy-key signature")
    if abs(now - int(raw_timestamp)) > REQUEST_MAX_AGE:
        raise DeployKeyError("the deployer request's timestamp is too far from the runtime's clock")
    keys.verify(kid, signature, _request_message(path, int(raw_timestamp), body), "the request")
    return kid


def _request_message(path: str, timestamp: int, body: bytes) -> bytes:
    return json.dumps([REQUEST_TAG, path, timestamp]).encode() + b"\n" + body


def where_each_half_goes(pair: KeyPair, environment: str, prefix: str) -> str:
    """What `invoke deploy-key` prints: both halves, and where each one belongs.

    The private half is printed once, here, on request; nothing else ever prints or logs it.
    """
    return "\n".join(
        [
            f"deploy key {pair.id} for environment {environment!r}",
            "",
            "private half: only whoever deploys to this environment holds it",
            f"  {prefix}{DEPLOY_KEY_VAR}={pair.private}",
            f"  -> CI: the secret {DEPLOY_KEY_VAR} of the GitHub environment {environment!r};",
            f"     your machine: the line above in .env.{environment}",
            "",
            "public half: the runtime of this environment trusts it",
            f"  {TRUSTED_KEYS_VAR}={pair.public}",
            f"  -> the {environment} runtime's environment (container, Lambda or `invoke serve`"
            "'s .env); to rotate, list the old and the new key separated by a comma",
        ]
    )
