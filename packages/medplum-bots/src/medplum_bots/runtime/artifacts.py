"""The bots the generic runtime runs: exactly the artifact each request carries, if signed.

Every forwarder carries its bot's artifact (base64 of the artifact file) and the deploy
signature over the bot's name and the SHA-256 of the file's bytes (`deploy_keys.statement`).
For each request the runtime hashes what it was sent, checks the signature against its
trusted keys and runs that artifact; an unsigned, altered or untrusted artifact is refused
before any of its code runs. A verified artifact is loaded once per (bot, content hash) and
kept in a bounded LRU cache, so a deploy needs no restart and the runtime never runs a stale
build.
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
from medplum_bots.runtime.deploy_keys import DeployKeyError, TrustedKeys, statement

DEFAULT_CACHE_ENTRIES = 256
ARTIFACT_FIELD = "artifact"


class ArtifactRefused(MedplumBotsError):
    """The request's artifact is missing, malformed, altered or signed by an untrusted key."""


class ArtifactBroken(MedplumBotsError):
    """A signed artifact failed to load (its code raised at import time)."""


@dataclass(frozen=True)
class VerifiedArtifact:
    """An artifact whose deploy signature checked out: what a sealed worker is handed."""

    name: str
    sha256: str
    key_id: str
    text: str


class SignedArtifacts:
    """Checks the signed artifact a request carries (`verify`) and, for the in-process mode,
    loads it (`resolve`). Verified artifacts are remembered (LRU) by (bot, hash, signature),
    so a warm call pays one SHA-256 and no signature check; a refusal is never remembered."""

    def __init__(self, trusted: TrustedKeys, max_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        if len(trusted) == 0:
            raise MedplumBotsError(
                "the runtime trusts no deploy key: set MEDPLUM_BOTS_TRUSTED_KEYS to the public "
                "key(s) printed by `invoke deploy-key`"
            )
        self.trusted = trusted
        self.max_entries = max_entries
        self._verified: OrderedDict[tuple[str, str, str], VerifiedArtifact] = OrderedDict()
        self._cache: OrderedDict[tuple[str, str, str], Handler] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, str, str], threading.Lock] = {}
        self.loads = 0  # artifacts loaded in this process since start (benchmarks, tests)

    def __len__(self) -> int:
        return len(self._verified)

    def names(self) -> list[str]:
        return sorted({key[0] for key in self._verified})

    def verify(self, name: str, payload: Mapping[str, Any]) -> VerifiedArtifact:
        """The artifact `payload` carries for bot `name`, if a trusted deploy key signed it;
        else ArtifactRefused. Nothing of it runs here."""
        carried = payload.get(ARTIFACT_FIELD)
        if not isinstance(carried, Mapping):
            raise ArtifactRefused(
                f"bot {name!r}: the request carries no signed artifact (redeploy it with "
                "`invoke deploy`; this runtime runs only artifacts the deployer signed)"
            )
        encoded, kid, signature = (carried.get(k) for k in ("code", "keyId", "signature"))
        if not all(isinstance(v, str) and v for v in (encoded, kid, signature)):
            raise ArtifactRefused(f"bot {name!r}: the artifact is unsigned or incomplete")
        assert isinstance(encoded, str) and isinstance(kid, str) and isinstance(signature, str)
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ArtifactRefused(f"bot {name!r}: the artifact is not base64") from None
        sha256 = hashlib.sha256(raw).hexdigest()
        key = (name, sha256, signature)
        with self._lock:
            verified = self._verified.get(key)
            if verified is not None:
                self._verified.move_to_end(key)
                return verified
        try:
            # The signature covers every byte that will run, header comments included.
            self.trusted.verify(kid, signature, statement(name, sha256), f"bot {name!r}")
        except DeployKeyError as error:
            raise ArtifactRefused(str(error)) from None
        try:
            text = raw.decode("utf-8")
            artifact_sha256(text)  # the format check: a signed file that is no artifact
        except (UnicodeDecodeError, ArtifactError) as error:
            raise ArtifactRefused(f"bot {name!r}: not a medplum bot artifact ({error})") from None
        verified = VerifiedArtifact(name, sha256, kid, text)
        with self._lock:
            self._verified[key] = verified
            while len(self._verified) > self.max_entries:
                self._verified.popitem(last=False)
        return verified

    def resolve(self, name: str, payload: Mapping[str, Any]) -> Handler:
        """The loaded handler of the verified artifact (in-process mode only)."""
        verified = self.verify(name, payload)
        key = (name, verified.sha256, verified.key_id)
        with self._lock:
            handler = self._cache.get(key)
            if handler is not None:
                self._cache.move_to_end(key)
                return handler
        return self._load(key, verified.text, name, verified.sha256)

    def _load(self, key: tuple[str, str, str], text: str, name: str, body_hash: str) -> Handler:
        with self._lock:
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # one load per artifact even when its first calls arrive together
            with self._lock:
                handler = self._cache.get(key)
            if handler is None:
                try:
                    module = load_isolated(text, f"{name}_{body_hash[:12]}")
                except Exception as error:
                    raise ArtifactBroken(
                        f"bot {name!r} failed to load: {type(error).__name__}: {error}"
                    ) from error
                found = getattr(module, "handler", None)
                if not callable(found):
                    raise ArtifactBroken(f"bot {name!r}: the artifact defines no `handler`")
                handler = found
                with self._lock:
                    self.loads += 1
                    self._cache[key] = handler
                    while len(self._cache) > self.max_entries:
                        self._cache.popitem(last=False)
            with self._lock:
                self._loading.pop(key, None)
            return handler
