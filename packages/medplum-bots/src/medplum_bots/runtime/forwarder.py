"""Route 1: the JavaScript bot deployed to Medplum in front of each Python bot.

Medplum only runs JavaScript, so `invoke deploy` puts this generated code in the Bot's
`executableCode` (the Bot's `sourceCode` stays the Python source). At each execution it reads
the runtime key from a Project secret, signs the execution payload (see `signing`), posts it
with the reference of the bot's signed artifact to `{runtime_url}/bots/{bot_name}` (and once
more with the artifact file itself when the runtime answers that it does not hold it yet:
`artifacts`), prints the Python bot's log lines (Medplum stores them in the execution's
AuditEvent) and returns its result, or throws an Error naming what failed in one line.
The code is CommonJS (`exports.handler`), needs nothing beyond `require('crypto')`,
`require('node:timers')` and `fetch`, never follows redirects, and is the same text for the
same arguments.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from medplum_bots.errors import ConfigError
from medplum_bots.runtime.deploy_keys import (
    MAX_SEQUENCE,
    REFERENCE_FORMAT,
    DeployKeyError,
    DeployStatement,
    sign_artifact,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

BOT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SECRET_NAME = re.compile(r"[A-Za-z0-9_.-]+")
LOOPBACK_HOSTS = ("localhost",)


def runtime_endpoint(runtime_url: str, bot_name: str) -> str:
    """`https://bots.example.com/` + `my_bot` -> `https://bots.example.com/bots/my_bot`.

    The URL must be https (plain http only to a loopback address): the payload carries the
    bot's access token.
    """
    parts = urlsplit(runtime_url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment:
        raise ConfigError(f"runtime url must be an https URL, got {runtime_url!r}")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(
            f"runtime url {runtime_url!r} must use https (http is allowed only for localhost)"
        )
    if not BOT_NAME.fullmatch(bot_name):
        raise ConfigError(f"bot name {bot_name!r} must be a Python module name")
    return f"{runtime_url.strip().rstrip('/')}/bots/{bot_name}"


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class CarriedArtifact:
    """The artifact file a forwarder carries, with its deploy statement and signature."""

    content: bytes
    statement: DeployStatement
    key_id: str
    signature: str

    @classmethod
    def sign(
        cls,
        content: bytes,
        private: Ed25519PrivateKey,
        *,
        environment: str,
        bot: str,
        bot_id: str,
        sequence: int,
    ) -> CarriedArtifact:
        sha256 = hashlib.sha256(content).hexdigest()
        statement = DeployStatement(environment, bot, bot_id, sequence, sha256)
        signed = sign_artifact(private, statement)
        return cls(content, statement, signed.key_id, signed.signature)

    def reference(self) -> dict[str, str | int]:
        """What every execution sends (`artifacts.ArtifactReference`), without the file."""
        s = self.statement
        return {
            "format": REFERENCE_FORMAT,
            "environment": s.environment,
            "botId": s.bot_id,
            "sequence": s.sequence,
            "sha256": s.sha256,
            "keyId": self.key_id,
            "signature": self.signature,
        }

    def code(self) -> str:
        """The file, base64: sent only when the runtime asks for it."""
        return base64.b64encode(self.content).decode()

    def with_code(self) -> dict[str, str | int]:
        """The reference with the file: what the forwarder sends when the runtime asks."""
        return {**self.reference(), "code": self.code()}


DEFAULT_TIMEOUT = 10  # Medplum's default Bot timeout (seconds)


def forwarder_code(
    runtime_url: str,
    bot_name: str,
    secret_name: str,
    artifact: CarriedArtifact | None = None,
    timeout: int | None = None,
) -> str:
    """The JavaScript `executableCode` forwarding executions of `bot_name` to the runtime.

    `artifact` is embedded: its reference, and the file as base64 (no text of the bot can be
    read as JavaScript, nor as the word Medplum's Lambda takes for an ES module); without one
    the forwarder sends none, which only a runtime with a fixed registry of bots (tests)
    accepts. `timeout` is the entry's.
    """
    endpoint = runtime_endpoint(runtime_url, bot_name)
    if not SECRET_NAME.fullmatch(secret_name):
        raise ConfigError(f"runtime secretName {secret_name!r} must be letters, digits, _ . -")
    template = resources.files("medplum_bots.runtime").joinpath("forwarder.js").read_text("utf-8")
    values = {
        "__BOT_LABEL__": bot_name,
        "__RUNTIME_URL__": json.dumps(endpoint),
        "__BOT_NAME__": json.dumps(bot_name),
        "__SECRET_NAME__": json.dumps(secret_name),
        "__TIMEOUT__": str(int(timeout or DEFAULT_TIMEOUT)),
        "__ARTIFACT__": json.dumps(artifact.reference() if artifact is not None else None),
        "__ARTIFACT_CODE__": json.dumps(artifact.code() if artifact is not None else None),
    }
    # One pass: a value inserted for one marker is never read as another marker.
    markers = re.compile("|".join(re.escape(marker) for marker in values))
    return markers.sub(lambda found: values[found.group(0)], template)


@dataclass(frozen=True)
class ForwarderSpec:
    """A route-http Bot's forwarder before it is signed for one deploy of one Bot.

    The deployer decides whether a Bot needs a deploy from `identity()`, which leaves out what
    changes with every deploy (the Bot id, the sequence, the signature): an unchanged bot is
    not redeployed just because a new deploy would sign a newer sequence. `render` signs it.
    """

    runtime_url: str
    bot_name: str
    secret_name: str
    environment: str
    content: bytes
    timeout: int | None = None

    def render(self, private: Ed25519PrivateKey, bot_id: str, sequence: int) -> str:
        """The forwarder of deploy `sequence` of Bot `bot_id`, its artifact signed."""
        artifact = CarriedArtifact.sign(
            self.content,
            private,
            environment=self.environment,
            bot=self.bot_name,
            bot_id=bot_id,
            sequence=sequence,
        )
        return forwarder_code(
            self.runtime_url, self.bot_name, self.secret_name, artifact, self.timeout
        )

    def identity(self, key_id: str) -> tuple[str, int]:
        """SHA-256 of the forwarder with placeholders for what every deploy changes, and the
        largest size its signed text can have (a 64-character Bot id, the largest sequence)."""
        statement = DeployStatement(
            self.environment,
            self.bot_name,
            "0" * 64,
            MAX_SEQUENCE,
            hashlib.sha256(self.content).hexdigest(),
        )
        placeholder = CarriedArtifact(self.content, statement, key_id, "0" * 86)
        code = forwarder_code(
            self.runtime_url, self.bot_name, self.secret_name, placeholder, self.timeout
        )
        return hashlib.sha256(code.encode()).hexdigest(), len(code)


def carried_artifact(code: str) -> CarriedArtifact | None:
    """The signed artifact a deployed forwarder embeds (`invoke rollback` deploys it again), or
    None when `code` is not a forwarder carrying one in this format. Read as data: the
    `const ARTIFACT|ARTIFACT_CODE|BOT_NAME = <JSON>;` lines `forwarder_code` writes."""
    found: dict[str, object] = {}
    for line in code.splitlines():
        for name in ("ARTIFACT", "ARTIFACT_CODE", "BOT_NAME"):
            prefix = f"const {name} = "
            if line.strip().startswith(prefix) and name not in found:
                try:
                    found[name] = json.loads(line.strip().removeprefix(prefix).rstrip(";"))
                except ValueError:
                    return None
    reference, encoded = found.get("ARTIFACT"), found.get("ARTIFACT_CODE")
    if not isinstance(reference, dict) or not isinstance(encoded, str):
        return None
    if reference.get("format") != REFERENCE_FORMAT:
        return None
    try:
        statement = DeployStatement(
            str(reference["environment"]),
            str(found.get("BOT_NAME") or ""),
            str(reference["botId"]),
            int(reference["sequence"]),
            str(reference["sha256"]),
        )
        content = base64.b64decode(encoded, validate=True)
        return CarriedArtifact(
            content, statement, str(reference["keyId"]), str(reference["signature"])
        )
    except (KeyError, TypeError, ValueError, DeployKeyError):
        return None
