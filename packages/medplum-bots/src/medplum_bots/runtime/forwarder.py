"""Route 1: the JavaScript bot deployed to Medplum in front of each Python bot.

Medplum only runs JavaScript, so `invoke deploy` puts this generated code in the Bot's
`executableCode` (the Bot's `sourceCode` stays the Python source). At each execution it reads
the runtime key from a Project secret, signs the execution payload (see `signing`), posts it
with the bot's signed artifact to `{runtime_url}/bots/{bot_name}`, prints the Python bot's log
lines (Medplum stores them in the execution's AuditEvent) and returns its result, or throws an
Error naming what failed in one line. The code is CommonJS (`exports.handler`), needs nothing
beyond `require('crypto')`, `require('node:timers')` and `fetch`, never follows redirects, and
is the same text for the same arguments.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from medplum_bots.errors import ConfigError

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
    """The artifact file a forwarder carries, with its deploy signature."""

    content: bytes
    key_id: str
    signature: str

    def to_json(self) -> dict[str, str]:
        return {
            "code": base64.b64encode(self.content).decode(),
            "keyId": self.key_id,
            "signature": self.signature,
        }


DEFAULT_TIMEOUT = 10  # Medplum's default Bot timeout (seconds)


def forwarder_code(
    runtime_url: str,
    bot_name: str,
    secret_name: str,
    artifact: CarriedArtifact | None = None,
    timeout: int | None = None,
) -> str:
    """The JavaScript `executableCode` forwarding executions of `bot_name` to the runtime.

    `artifact` is embedded (base64: no text of the bot can be read as JavaScript, nor as the
    word Medplum's Lambda takes for an ES module); without one the forwarder sends none, which
    only a runtime with a fixed registry of bots (tests) accepts. `timeout` is the entry's.
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
        "__ARTIFACT__": json.dumps(artifact.to_json() if artifact is not None else None),
    }
    for marker, value in values.items():
        template = template.replace(marker, value)
    return template


_ARTIFACT_LINE = "const ARTIFACT = "


def carried_artifact(code: str) -> CarriedArtifact | None:
    """The signed artifact a deployed forwarder embeds (`invoke rollback` redeploys it), or
    None when `code` is not a forwarder carrying one."""
    for line in code.splitlines():
        if line.startswith(_ARTIFACT_LINE):
            try:
                value = json.loads(line.removeprefix(_ARTIFACT_LINE).rstrip().rstrip(";"))
                if not isinstance(value, dict):
                    return None
                content = base64.b64decode(value["code"], validate=True)
                return CarriedArtifact(content, str(value["keyId"]), str(value["signature"]))
            except (ValueError, KeyError, TypeError):
                return None
    return None
