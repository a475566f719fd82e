"""What a deploy should make a Bot look like, worked out without touching the server.

The deployed content hash is stored on the Bot as the identifier `DEPLOYED_HASH|<sha256 hex>`.
It covers everything a deploy writes: the artifact, the executable (forwarder code or Lambda
settings), the human source, the Bot settings and the declared Subscriptions. Equal hash means
nothing to do. The hash is written last, in the same JSON Patch as `sourceCode` and the
settings, only after the executable is in place, so a deploy that failed half-way is redone on
the next run. JSON Patch (not a PUT of the whole Bot) keeps the `executableCode` that `$deploy`
just wrote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from medplum_bots.config import BotEntry

DEPLOYED_HASH = "https://medplum-bots-template.dev/deployed-hash"
EXTERNAL_FUNCTION_ID = "https://medplum.com/bot-external-function-id"
SOURCE_CONTENT_TYPE = "text/x-python"
HASH_FORMAT = 1  # bump when the hash's inputs change meaning, so every bot redeploys once

JsonPatch = list[dict[str, Any]]


def desired_settings(entry: BotEntry) -> dict[str, Any]:
    """Bot fields the entry sets; fields the entry leaves out keep their server value."""
    settings: dict[str, Any] = {"runtimeVersion": entry.runtime_version}
    if entry.description:
        settings["description"] = entry.description
    if entry.timeout is not None:
        settings["timeout"] = entry.timeout
    if entry.audit_event_trigger is not None:
        settings["auditEventTrigger"] = entry.audit_event_trigger
    if entry.audit_event_destination is not None:
        settings["auditEventDestination"] = list(entry.audit_event_destination)
    if entry.cron_string is not None:
        settings["cronString"] = entry.cron_string
    return settings


def changed_settings(bot: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str]:
    """`field old -> new` for every setting whose server value differs (for --dry-run)."""
    return [
        f"{name} {bot.get(name)!r} -> {value!r}"
        for name, value in settings.items()
        if bot.get(name) != value
    ]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(
    *,
    artifact_sha256: str,
    executable: Mapping[str, Any],
    source: bytes,
    settings: Mapping[str, Any],
    subscriptions: Iterable[Mapping[str, Any]],
) -> str:
    """The hash stored on the Bot: same inputs, same hash, on any machine."""
    document = {
        "format": HASH_FORMAT,
        "artifact": artifact_sha256,
        "executable": executable,
        "source": _sha256(source),
        "settings": settings,
        "subscriptions": sorted(json.dumps(s, sort_keys=True) for s in subscriptions),
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return _sha256(canonical.encode())


def identifier_value(bot: Mapping[str, Any], system: str) -> str | None:
    """The value of the Bot's first identifier with `system`, or None."""
    for identifier in bot.get("identifier") or []:
        if isinstance(identifier, dict) and identifier.get("system") == system:
            value = identifier.get("value")
            return value if isinstance(value, str) else None
    return None


def merged_identifiers(
    identifiers: list[Any], put: Mapping[str, str], remove: Iterable[str] = ()
) -> list[Any]:
    """`identifiers` with each `put` system set to its value (first one kept in place, later
    duplicates of it dropped, missing ones appended) and the `remove` systems dropped."""
    doomed = set(remove)
    result: list[Any] = []
    placed: set[str] = set()
    for identifier in identifiers:
        system = identifier.get("system") if isinstance(identifier, dict) else None
        if system in doomed:
            continue
        if isinstance(system, str) and system in put:
            if system not in placed:
                result.append({**identifier, "value": put[system]})
                placed.add(system)
            continue
        result.append(identifier)
    result.extend({"system": s, "value": v} for s, v in put.items() if s not in placed)
    return result


def bot_patch(
    bot: Mapping[str, Any],
    *,
    source_attachment: Mapping[str, Any],
    settings: Mapping[str, Any],
    identifiers: Mapping[str, str],
    remove_identifiers: Iterable[str] = (),
) -> JsonPatch:
    """The final patch of a deploy: sourceCode, settings, the whole `identifier` array.

    Safe to send twice: every op sets a whole field. The identifiers as read are `test`ed
    first, so an identifier someone added meanwhile is not overwritten (the patch fails
    instead; `steps` then reads the Bot to tell that from its own earlier attempt).
    `meta.versionId` cannot be the guard: `$deploy` itself writes a new version of the Bot.
    """
    ops: JsonPatch = [{"op": "add", "path": "/sourceCode", "value": dict(source_attachment)}]
    # `add` on an existing member replaces it, so one op works whether the field is set or not.
    ops.extend(
        {"op": "add", "path": f"/{name}", "value": value} for name, value in settings.items()
    )
    before = list(bot.get("identifier") or [])
    if before:
        ops.append({"op": "test", "path": "/identifier", "value": before})
    after = merged_identifiers(before, identifiers, remove_identifiers)
    ops.append({"op": "add", "path": "/identifier", "value": after})
    return ops
