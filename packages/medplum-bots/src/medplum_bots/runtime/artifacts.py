"""The bots the generic runtime runs: exactly the artifact a deployer signed, once per runtime.

Each forwarder carries its deploy's reference (`ArtifactReference`: environment, Bot id,
sequence, the artifact's SHA-256, the deploy key's id and signature; shape
`REFERENCE_FORMAT`) and the artifact file itself. It sends the reference alone first; a
runtime that does not hold that artifact yet answers `ArtifactMissing` (HTTP 409,
`"artifact": "needed"`), and the forwarder sends the same execution again with the file
(`code`, base64). So an execution costs the same whatever the bot's size: the file crosses
the network once per runtime (and again only after it left the cache).

Checks, before any of the bot's code runs: the signature is the deployer's, over this
reference, by a key trusted for the reference's environment; the reference names the bot in
the URL and the Bot whose execution this is (`payload.bot`); a carried file hashes to the
signed SHA-256. The store then refuses a deploy older than the newest run for that Bot
(`runtime.store`), which the caller asks with `mark`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from medplum_bots.build.loader import ArtifactError, artifact_sha256, load_isolated
from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime.adapter import Handler
from medplum_bots.runtime.deploy_keys import (
    KEY_ID,
    REFERENCE_FORMAT,
    DeployKeyError,
    DeployStatement,
    TrustedKeys,
)
from medplum_bots.runtime.store import Mark

DEFAULT_CACHE_ENTRIES = 256
ARTIFACT_FIELD = "artifact"
NEEDED = "needed"  # the 409 answer's `artifact` field: send the file with this execution


class ArtifactRefused(MedplumBotsError):
    """The request's artifact is missing, malformed, altered or signed by an untrusted key."""


class ArtifactBroken(MedplumBotsError):
    """A signed artifact failed to load (its code raised at import time)."""


class ArtifactMissing(MedplumBotsError):
    """The reference is good but this runtime does not hold the file: ask for it."""


@dataclass(frozen=True)
class ArtifactReference:
    """A verified deploy reference, and the artifact file when the request carried it."""

    statement: DeployStatement
    code: bytes | None

    @property
    def mark(self) -> Mark:
        s = self.statement
        return Mark(s.environment, s.bot_id, s.sequence)


@dataclass(frozen=True)
class VerifiedArtifact:
    """An artifact file whose bytes hash to a signed SHA-256 (what a worker may load)."""

    name: str
    sha256: str
    text: str


def _bot_id(payload: Mapping[str, Any]) -> str | None:
    bot = payload.get("bot")
    reference = bot.get("reference") if isinstance(bot, Mapping) else None
    if isinstance(reference, str) and reference.startswith("Bot/"):
        return reference[len("Bot/") :]
    return None


class SignedArtifacts:
    """Verifies references, holds verified artifact files, loads handlers (LRU-bounded)."""

    def __init__(self, trusted: TrustedKeys, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        if len(trusted) == 0:
            raise MedplumBotsError(
                "the runtime trusts no deploy key: set MEDPLUM_BOTS_TRUSTED_KEYS to the "
                "`<environment>=ed25519:...` entries printed by `invoke deploy-key`"
            )
        self.trusted = trusted
        self.max_entries = max_entries
        self._lock = threading.Lock()
        # sha256 -> verified file; (kid, signature) -> the statement it verified (Ed25519
        # costs ~60 us, a dict lookup nothing); (environment, name, sha256) -> handler.
        self._files: OrderedDict[str, VerifiedArtifact] = OrderedDict()
        self._verified: OrderedDict[tuple[str, str], DeployStatement] = OrderedDict()
        self._handlers: OrderedDict[tuple[str, str, str], Handler] = OrderedDict()
        self._loading: dict[tuple[str, str, str], threading.Lock] = {}
        self.loads = 0  # artifacts loaded since start (benchmarks, tests)

    def __len__(self) -> int:
        """Artifacts held (verified files, whether or not loaded in this process)."""
        return len(self._files)

    def names(self) -> list[str]:
        return sorted({held.name for held in self._files.values()})

    def verify(self, name: str, payload: Mapping[str, Any]) -> ArtifactReference:
        """The request's reference, checked; ArtifactRefused says what is wrong."""
        carried = payload.get(ARTIFACT_FIELD)
        if not isinstance(carried, Mapping):
            raise ArtifactRefused(
                f"bot {name!r}: the request carries no signed artifact (redeploy it with "
                "`invoke deploy`; this runtime runs only artifacts the deployer signed)"
            )
        if carried.get("format") != REFERENCE_FORMAT:
            raise ArtifactRefused(
                f"bot {name!r}: its forwarder was deployed by another medplum-bots version "
                f"(reference format {carried.get('format')!r}, this runtime reads "
                f"{REFERENCE_FORMAT}): "
                "redeploy it with `invoke deploy`"
            )
        kid, signature = carried.get("keyId"), carried.get("signature")
        if not isinstance(kid, str) or not KEY_ID.fullmatch(kid) or not isinstance(signature, str):
            raise ArtifactRefused(f"bot {name!r}: the artifact is unsigned or incomplete")
        statement = self._statement(name, kid, signature, carried)
        bot_id = _bot_id(payload)
        if bot_id != statement.bot_id:
            raise ArtifactRefused(
                f"bot {name!r}: the artifact was deployed to Bot/{statement.bot_id}, not to "
                f"the Bot executing it ({'Bot/' + bot_id if bot_id else 'none named'})"
            )
        code = carried.get("code")
        if code is None:
            return ArtifactReference(statement, None)
        try:
            raw = base64.b64decode(code, validate=True) if isinstance(code, str) else None
        except (binascii.Error, ValueError):
            raw = None
        if raw is None:
            raise ArtifactRefused(f"bot {name!r}: the artifact is not base64")
        if hashlib.sha256(raw).hexdigest() != statement.sha256:
            raise ArtifactRefused(f"bot {name!r}: the artifact is not the one that was signed")
        return ArtifactReference(statement, raw)

    def _statement(
        self, name: str, kid: str, signature: str, carried: Mapping[str, Any]
    ) -> DeployStatement:
        environment, bot_id = carried.get("environment"), carried.get("botId")
        sequence, sha256 = carried.get("sequence"), carried.get("sha256")
        if not (
            isinstance(environment, str)
            and isinstance(bot_id, str)
            and type(sequence) is int
            and isinstance(sha256, str)
        ):
            raise ArtifactRefused(f"bot {name!r}: the artifact reference is incomplete")
        try:
            statement = DeployStatement(environment, name, bot_id, sequence, sha256)
        except DeployKeyError as error:
            raise ArtifactRefused(f"bot {name!r}: {error}") from None
        with self._lock:
            if self._verified.get((kid, signature)) == statement:
                self._verified.move_to_end((kid, signature))
                return statement
        try:
            # The signature covers every byte that will run (the file's hash), header
            # comments included, and names the environment its key must be trusted for.
            self.trusted.verify_deploy(kid, signature, statement, f"bot {name!r}")
        except DeployKeyError as error:
            raise ArtifactRefused(str(error)) from None
        with self._lock:
            self._verified[(kid, signature)] = statement
            _bound(self._verified, self.max_entries * 4)
        return statement

    def artifact(self, reference: ArtifactReference) -> VerifiedArtifact:
        """The verified file for `reference`: held, or carried; ArtifactMissing when neither."""
        statement = reference.statement
        with self._lock:
            held = self._files.get(statement.sha256)
            if held is not None:
                self._files.move_to_end(statement.sha256)
                return held
        if reference.code is None:
            raise ArtifactMissing(
                f"bot {statement.bot!r}: artifact {statement.sha256[:12]} is not held here yet; "
                "send it with the execution"
            )
        try:
            text = reference.code.decode("utf-8")
            artifact_sha256(text)  # the format check: a signed file that is no artifact
        except (UnicodeDecodeError, ArtifactError) as error:
            raise ArtifactRefused(
                f"bot {statement.bot!r}: not a medplum bot artifact ({error})"
            ) from None
        verified = VerifiedArtifact(statement.bot, statement.sha256, text)
        with self._lock:
            self._files[statement.sha256] = verified
            _bound(self._files, self.max_entries)
        return verified

    def handler(self, reference: ArtifactReference) -> Handler:
        """The loaded handler of `reference`'s artifact, one module table per environment."""
        verified = self.artifact(reference)
        key = (reference.statement.environment, verified.name, verified.sha256)
        with self._lock:
            handler = self._handlers.get(key)
            if handler is not None:
                self._handlers.move_to_end(key)
                return handler
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # one load per artifact even when its first calls arrive together
            with self._lock:
                handler = self._handlers.get(key)
            if handler is None:
                handler = self._load(verified, key)
            with self._lock:
                self._loading.pop(key, None)
            return handler

    def _load(self, verified: VerifiedArtifact, key: tuple[str, str, str]) -> Handler:
        name = verified.name
        try:
            module = load_isolated(verified.text, f"{name}_{verified.sha256[:12]}")
        except Exception as error:
            raise ArtifactBroken(
                f"bot {name!r} failed to load: {type(error).__name__}: {error}"
            ) from error
        found = getattr(module, "handler", None)
        if not callable(found):
            raise ArtifactBroken(f"bot {name!r}: the artifact defines no `handler`")
        handler: Handler = found
        with self._lock:
            self.loads += 1
            self._handlers[key] = handler
            _bound(self._handlers, self.max_entries)
        return handler


def _bound(cache: OrderedDict[Any, Any], size: int) -> None:
    while len(cache) > size:
        cache.popitem(last=False)
