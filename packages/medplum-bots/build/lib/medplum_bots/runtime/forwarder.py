"""Route 1: the JavaScript bot deployed to Medplum in front of each Python bot.

Medplum only runs JavaScript, so `invoke deploy` puts this generated code in the Bot's
`executableCode` (the Bot's `sourceCode` stays the Python source). At each execution it reads
the runtime key from a Project secret, signs the execution payload (see `signing`), posts it
to `{runtime_url}/bots/{bot_name}`, prints the Python bot's log lines (Medplum stores them in
the execution's AuditEvent) and returns its result, or throws an Error naming what failed.
The code is CommonJS (`exports.handler`), needs nothing beyond `require('crypto')` and
`fetch`, and is the same text for the same arguments.
"""

from __future__ import annotations

import ipaddress
import json
import re
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


def forwarder_code(runtime_url: str, bot_name: str, secret_name: str) -> str:
    """The JavaScript `executableCode` forwarding executions of `bot_name` to the runtime."""
    endpoint = runtime_endpoint(runtime_url, bot_name)
    if not SECRET_NAME.fullmatch(secret_name):
        raise ConfigError(f"runtime secretName {secret_name!r} must be letters, digits, _ . -")
    template = resources.files("medplum_bots.runtime").joinpath("forwarder.js").read_text("utf-8")
    values = {
        "__BOT_LABEL__": bot_name,
        "__RUNTIME_URL__": json.dumps(endpoint),
        "__BOT_NAME__": json.dumps(bot_name),
        "__SECRET_NAME__": json.dumps(secret_name),
    }
    for marker, value in values.items():
        template = template.replace(marker, value)
    return template
