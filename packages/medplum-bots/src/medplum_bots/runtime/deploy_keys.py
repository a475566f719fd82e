"""Deploy keys: the deployer signs each artifact it deploys, the runtime runs only those.

Each environment has an Ed25519 key pair. The private half stays with whoever deploys (a CI
secret or a developer's `.env`, as `<PREFIX>MEDPLUM_BOTS_DEPLOY_KEY`); the runtime is given
the public halves it trusts, each bound to the one environment it signs for
(`MEDPLUM_BOTS_TRUSTED_KEYS=staging=ed25519:...,production=ed25519:...`; two for one
environment during a rotation). A signature covers a `DeployStatement`: the environment, the
bot's name, its Bot id, the deploy's sequence and the artifact's SHA-256. The Project secret
the forwarder signs requests with does not let anyone run other code, a key trusted for
staging cannot vouch for a production deploy, and an older deploy of a Bot can be told from
a newer one (the runtime refuses the older once it ran the newer: `runtime.store`).

Keys are written `ed25519-private:<base64url>` and `ed25519:<base64url>` (32 raw bytes each);
a key's id is the first 16 hex digits of the SHA-256 of its raw public key. Signatures are
86 base64url characters without padding, exactly: one spelling per signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
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
# The deploy signature's format. v1 (bot name + hash) could not tell an old deploy from a new
# one, nor a staging deploy from a production one; the runtime accepts v2 only.
STATEMENT_TAG = "medplum-bots artifact v2"
# The shape of the reference a forwarder sends (`forwarder.CarriedArtifact.reference`).
REFERENCE_FORMAT = 2
ENVIRONMENT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
BOT_ID = re.compile(r"[A-Za-z0-9-]{1,64}")  # FHIR id
KEY_ID = re.compile(r"[0-9a-f]{16}")
SIGNATURE_TEXT = re.compile(r"[A-Za-z0-9_-]{86}")  # 64 bytes, base64url, no padding
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Sequences are milliseconds since 1970 (see `deploy_sequence`); JavaScript and Redis (Lua)
# hold integers exactly up to 2**53.
MAX_SEQUENCE = 2**53 - 1
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
    """Parse `ed25519:<base64url>`, refusing a key anyone could sign for.

    The identity, the all-zero encoding and the other small-order points (and points outside
    the prime-order group) verify signatures made without the private key; libsodium's
    point check (PyNaCl) tells them apart, `cryptography` accepts them.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from nacl.bindings import crypto_core_ed25519_is_valid_point

    value = text.strip()
    if not value.startswith(PUBLIC_PREFIX):
        raise DeployKeyError(f"{source}: a public key starts with {PUBLIC_PREFIX!r}")
    raw = _unb64(value[len(PUBLIC_PREFIX) :], source)
    if not crypto_core_ed25519_is_valid_point(raw):
        raise DeployKeyError(
            f"{source}: {value[:24]}... is not a usable Ed25519 public key (identity, all-zero "
            "or small-order point: signatures would verify without any private key); make a "
            "pair with `invoke deploy-key`"
        )
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class DeployStatement:
    """What one deploy signature vouches for (format `STATEMENT_TAG`).

    `sequence` only grows from one deploy of a Bot to the next (`deploy_sequence`), so the
    runtime can refuse a deploy older than one it already ran; `bot` is the name the runtime
    serves it under (`/bots/{bot}`), `bot_id` the Medplum Bot whose executions may run it.
    """

    environment: str
    bot: str
    bot_id: str
    sequence: int
    sha256: str

    def __post_init__(self) -> None:
        if not ENVIRONMENT_NAME.fullmatch(self.environment):
            raise DeployKeyError(f"environment name {self.environment!r}: letters, digits, _ -")
        if not BOT_ID.fullmatch(self.bot_id):
            raise DeployKeyError(f"Bot id {self.bot_id!r} is not a FHIR id")
        if not 0 < self.sequence <= MAX_SEQUENCE:
            raise DeployKeyError(f"deploy sequence {self.sequence} is out of range")
        if not SHA256_HEX.fullmatch(self.sha256):
            raise DeployKeyError("an artifact hash is 64 lowercase hex digits")

    def message(self) -> bytes:
        """The signed bytes: JSON, so no field can be read as another."""
        fields = [STATEMENT_TAG, self.environment, self.bot, self.bot_id, self.sequence]
        return json.dumps([*fields, self.sha256], separators=(",", ":")).encode()


def deploy_sequence(now: float, last_updated: str | None = None) -> int:
    """A deploy's sequence: milliseconds since 1970, past the Bot's `meta.lastUpdated`.

    Why time: every deploy of a Bot, from any machine, gets a larger number without asking
    anyone (the runtime may be unreachable from CI). Why past `lastUpdated`: Medplum's own
    clock stamped the previous `$deploy` after that deploy was signed, so a deploying machine
    whose clock is behind still signs a newer sequence than a deploy made with a good clock.
    """
    sequence = int(now * 1000)
    if last_updated:
        from datetime import datetime

        try:
            stamped = datetime.fromisoformat(last_updated.replace("Z", "+00:00"))
        except ValueError:
            return sequence
        sequence = max(sequence, int(stamped.timestamp() * 1000) + 1)
    return sequence


class TrustedKeys:
    """The public keys a runtime accepts signatures from, by key id, each for one environment."""

    def __init__(self, keys: Iterable[tuple[str, Ed25519PublicKey]]) -> None:
        self._keys: dict[str, tuple[str, Ed25519PublicKey]] = {}
        for environment, key in keys:
            kid = key_id(key)
            known = self._keys.get(kid)
            if known is not None and known[0] != environment:
                raise DeployKeyError(
                    f"{TRUSTED_KEYS_VAR}: key {kid} is listed for environments {known[0]!r} and "
                    f"{environment!r}; each environment needs its own key"
                )
            self._keys[kid] = (environment, key)

    @classmethod
    def parse(cls, text: str, source: str = TRUSTED_KEYS_VAR) -> TrustedKeys:
        """Comma-separated `<environment>=ed25519:...` entries."""
        entries = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            environment, sep, key = part.partition("=")
            environment = environment.strip()
            if not sep or not ENVIRONMENT_NAME.fullmatch(environment):
                raise DeployKeyError(
                    f"{source}: each key is `<environment>=ed25519:...` (the environment it "
                    f"signs deploys for, as `invoke deploy-key` prints it), got {part[:24]!r}"
                )
            entries.append((environment, load_public(key, source)))
        return cls(entries)

    def ids(self) -> list[str]:
        return sorted(self._keys)

    def environments(self) -> dict[str, str]:
        """Key id -> the environment it is trusted for."""
        return {kid: env for kid, (env, _) in sorted(self._keys.items())}

    def __len__(self) -> int:
        return len(self._keys)

    def verify(self, kid: str, signature: str, message: bytes, what: str) -> str:
        """Raise DeployKeyError unless `kid` is trusted and signed `message`; its environment."""
        from cryptography.exceptions import InvalidSignature

        found = self._keys.get(kid)
        if found is None:
            raise DeployKeyError(
                f"{what} is signed by deploy key {kid[:16]!r}, which this runtime does not "
                f"trust (it trusts {', '.join(self.ids()) or 'no key'}; see {TRUSTED_KEYS_VAR})"
            )
        raw = decode_signature(signature, what)
        try:
            found[1].verify(raw, message)
        except InvalidSignature:
            raise DeployKeyError(f"{what}: the deploy signature does not match") from None
        return found[0]

    def verify_deploy(
        self, kid: str, signature: str, statement: DeployStatement, what: str
    ) -> None:
        """Check a deploy signature, and that its key is trusted for the statement's environment."""
        environment = self.verify(kid, signature, statement.message(), what)
        if environment != statement.environment:
            raise DeployKeyError(
                f"{what} is signed for environment {statement.environment!r} by deploy key "
                f"{kid}, which this runtime trusts for environment {environment!r} only"
            )


def decode_signature(text: str, what: str) -> bytes:
    """The 64 bytes of a signature written exactly as `_b64` writes them, else DeployKeyError."""
    if not SIGNATURE_TEXT.fullmatch(text):
        raise DeployKeyError(f"{what}: the deploy signature is not 86 base64url characters")
    raw = base64.urlsafe_b64decode(text + "==")
    if _b64(raw) != text:  # the last character's unused bits are not zero: another spelling
        raise DeployKeyError(f"{what}: the deploy signature is not in its canonical form")
    return raw


@dataclass(frozen=True)
class ArtifactSignature:
    """The deploy signature the forwarder carries next to the artifact."""

    key_id: str
    signature: str  # base64url Ed25519 signature of `DeployStatement.message()`


def sign_artifact(private: Ed25519PrivateKey, statement: DeployStatement) -> ArtifactSignature:
    raw = private.sign(statement.message())
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
    if not raw_timestamp.isascii() or not raw_timestamp.isdigit() or not signature:
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
            f"  {TRUSTED_KEYS_VAR}={trusted_entry(environment, pair.public)}",
            f"  -> the {environment} runtime's environment (container, Lambda or `invoke serve`"
            "'s .env), next to other environments' entries, comma-separated; to rotate, list "
            "the old and the new key",
        ]
    )


def trusted_entry(environment: str, public: str) -> str:
    """One `MEDPLUM_BOTS_TRUSTED_KEYS` entry: the public key and the environment it signs for."""
    return f"{environment}={public}"
