"""`invoke execute` and `invoke logs`: run a deployed bot through `$execute`, read its AuditEvents.

Both use the bot's environment credentials (see `credentials`) and its Bot id from
medplum.config.json. Medplum writes one AuditEvent per execution (subject to the Bot's
`auditEventTrigger` / `auditEventDestination`); its `outcomeDesc` holds the bot's log output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from medplum_bots.arguments import DEFAULT_HTTP_TIMEOUT
from medplum_bots.client import MedplumClient
from medplum_bots.client.core import FHIR_JSON
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import BotEntry, ProjectConfig
from medplum_bots.deploy.credentials import resolve_credentials
from medplum_bots.errors import ConfigError, DeployError, MedplumBotsError, OperationOutcomeError
from medplum_bots.runtime.adapter import HL7_V2

JSON = "application/json"
# AuditEvent.outcome codes (FHIR R4): 0 success, 4 minor failure, 8 serious, 12 major.
OUTCOMES = {"0": "ok", "4": "failed", "8": "failed (serious)", "12": "failed (major)"}


def _deployed_entry(config: ProjectConfig, name: str) -> BotEntry:
    entry = config.entry(name)  # unknown -> error listing the configured names
    if not entry.id:
        raise ConfigError(
            f"bot {name!r} has no id in {config.path.name}: run `invoke create` or "
            f"`invoke deploy --create --name {name}` first"
        )
    return entry


def connect(
    config: ProjectConfig,
    entry: BotEntry,
    *,
    environ: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    retry: RetryPolicy | None = None,
    timeout: float = DEFAULT_HTTP_TIMEOUT,
) -> MedplumClient:
    """A client for the entry's environment, logging in with its client credentials.

    `timeout` bounds each call, retries included.
    """
    credentials = resolve_credentials(config.environment(entry.environment), config.root, environ)
    return MedplumClient(
        credentials.base_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        transport=transport,
        retry=retry,
        timeout=timeout,
        budget=timeout,
    )


def _missing_bot(config: ProjectConfig, entry: BotEntry, base_url: str) -> DeployError:
    return DeployError(
        f"bot {entry.name!r}: Bot/{entry.id} does not exist in environment "
        f"{entry.environment!r} ({base_url}): deleted, or an id from another environment? "
        f"Fix its id in {config.path.name}, or empty it and run "
        f"`invoke deploy --create --name {entry.name}`"
    )


def _check_exists(client: MedplumClient, config: ProjectConfig, entry: BotEntry) -> None:
    """Raise `_missing_bot` when the entry's Bot is not on the server (its id answers 404)."""
    try:
        client.read_resource("Bot", entry.id)
    except OperationOutcomeError as error:
        if error.status in (404, 410):
            raise _missing_bot(config, entry, client.get_base_url()) from None
        raise


def read_input(path: Path, content_type: str = "") -> tuple[Any, str]:
    """The body to send and its content type, from a file.

    `.json` files are parsed (a FHIR resource is sent as `application/fhir+json`), `.hl7` files
    are HL7 v2 text, anything else plain text; `content_type` overrides the guess.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise MedplumBotsError(f"--input {str(path)!r}: cannot read ({error.strerror})") from None
    guessed = {".json": JSON, ".hl7": HL7_V2}.get(path.suffix.lower(), "text/plain")
    kind = content_type or guessed
    if kind not in (JSON, FHIR_JSON):
        return text, kind
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise MedplumBotsError(
            f"--input {str(path)!r}:{error.lineno}:{error.colno}: invalid JSON ({error.msg})"
        ) from None
    if not content_type and isinstance(data, dict) and "resourceType" in data:
        kind = FHIR_JSON
    return data, kind


def execute(
    config: ProjectConfig,
    name: str,
    input_path: Path,
    content_type: str = "",
    *,
    environ: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = DEFAULT_HTTP_TIMEOUT,
) -> Any:
    """Run the deployed bot `name` with the file's content as input; the bot's answer.

    A failed execution raises OperationOutcomeError carrying Medplum's outcome; a Bot the
    server does not have raises DeployError naming the entry and its environment.
    """
    entry = _deployed_entry(config, name)
    data, kind = read_input(input_path, content_type)
    with connect(config, entry, environ=environ, transport=transport, timeout=timeout) as client:
        try:
            return client.execute_bot(entry.id, data, kind)
        except OperationOutcomeError as error:
            if error.status == 404:
                _check_exists(client, config, entry)  # else: the 404 came from the bot itself
            raise


@dataclass(frozen=True)
class LogEntry:
    """One execution as its AuditEvent records it."""

    time: str
    outcome: str
    log: str


def logs(
    config: ProjectConfig,
    name: str,
    limit: int = 20,
    *,
    environ: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = DEFAULT_HTTP_TIMEOUT,
) -> list[LogEntry]:
    """The bot's most recent executions, newest first.

    No executions for a Bot the server does not have is a DeployError, not an empty list.
    """
    if limit < 1:
        raise MedplumBotsError(f"--limit must be at least 1, got {limit}")
    entry = _deployed_entry(config, name)
    query = {"entity": f"Bot/{entry.id}", "_sort": "-_lastUpdated", "_count": str(limit)}
    with connect(config, entry, environ=environ, transport=transport, timeout=timeout) as client:
        events = client.search_resources("AuditEvent", query)
        if not events:
            _check_exists(client, config, entry)
    return [
        LogEntry(
            time=str(event.get("recorded") or (event.get("period") or {}).get("start") or "?"),
            outcome=OUTCOMES.get(str(event.get("outcome")), str(event.get("outcome", "?"))),
            log=str(event.get("outcomeDesc") or ""),
        )
        for event in events[:limit]
    ]


def format_logs(entries: list[LogEntry]) -> str:
    """One header line per execution, its log indented below."""
    if not entries:
        return "no executions recorded (check the Bot's auditEventTrigger/auditEventDestination)"
    lines: list[str] = []
    for entry in entries:
        lines.append(f"{entry.time}  {entry.outcome}")
        lines.extend(f"    {line}" for line in entry.log.rstrip().splitlines())
    return "\n".join(lines)
