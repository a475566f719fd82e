"""`invoke execute` and `invoke logs`: run a deployed bot through `$execute`, read its AuditEvents.

Both use the bot's environment credentials (see `credentials`) and its Bot id from
medplum.config.json. Medplum writes one AuditEvent per execution (subject to the Bot's
`auditEventTrigger` / `auditEventDestination`); its `outcomeDesc` holds the bot's log output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from medplum_bots.arguments import DEFAULT_HTTP_TIMEOUT
from medplum_bots.client import MedplumClient
from medplum_bots.client.core import FHIR_JSON
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import BotEntry, ProjectConfig
from medplum_bots.deploy.credentials import login_failed, resolve_credentials
from medplum_bots.errors import (
    ConfigError,
    DeployError,
    MedplumBotsError,
    NetworkError,
    OperationOutcomeError,
    outcome_text,
)
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
    client = MedplumClient(
        credentials.base_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        transport=transport,
        retry=retry,
        timeout=timeout,
        budget=timeout,
    )
    # Logged in here, not at the first call: a refused login then names the environment and
    # the variables it read, instead of a bare `HTTP 400: Invalid client`.
    try:
        client.login_client_credentials()
    except NetworkError:
        client.close()
        raise
    except OperationOutcomeError as error:
        client.close()
        raise login_failed(credentials, error) from None
    return client


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
        # Bytes, decoded as they are: read_text would turn CRLF into LF, and HL7 v2 segments
        # end in CR.
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise MedplumBotsError(f"--input {str(path)!r}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise MedplumBotsError(
            f"--input {str(path)!r}: not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
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
    if not isinstance(data, dict | list):
        # Medplum's JSON body parser is strict: it answers a bare 400 to any other value.
        raise MedplumBotsError(
            f"--input {str(path)!r}: Medplum accepts only a JSON object or array as a JSON "
            f'input, not {type(data).__name__} (wrap it, e.g. {{"value": ...}}, or pass '
            "--content-type text/plain)"
        )
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
        except NetworkError:
            raise
        except OperationOutcomeError as error:
            if error.status == 404:
                _check_exists(client, config, entry)  # else: the 404 came from the bot itself
            raise ExecutionFailed.of(entry, error, f"--input {str(input_path)!r}") from None


@dataclass(frozen=True)
class Failure:
    """A failed execution's log lines and its error, said once."""

    log: tuple[str, ...]
    error: str


# How the runtimes repeat a bot's error after its traceback: Medplum's Lambda wrapper
# (`Unhandled error: ...`), the forwarder's `throw` as Medplum logs it (`Error ...`).
_ERROR_ECHOES = ("Unhandled error: ", "Error: ", "Error ")


def _bare(line: str) -> str:
    text = line.strip()
    for prefix in _ERROR_ECHOES:
        if text.startswith(prefix):
            return text[len(prefix) :].strip()
    return text


def split_failure(text: str) -> Failure:
    """The log of a failed execution (Medplum's outcome text) without the copies of its error.

    Medplum answers a failed `$execute` with the execution's whole log, which ends in the
    error as the traceback's last line, again as `Unhandled error: ...` and again as the
    forwarder's `Error ...`: the error is the last line, the log is every line that does not
    repeat it.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return Failure((), "the bot failed without a message")
    error = _bare(lines[-1])
    kept = tuple(line for line in lines if _bare(line) != error)
    while kept and not kept[-1].strip():
        kept = kept[:-1]
    return Failure(kept, error)


class ExecutionFailed(MedplumBotsError):
    """A deployed bot's execution failed (or Medplum refused its input): one line, plus the
    bot's log lines in `log` for the caller to show above it."""

    def __init__(self, message: str, log: tuple[str, ...] = (), status: int | None = None) -> None:
        super().__init__(message)
        self.log = log
        self.status = status

    @classmethod
    def of(cls, entry: BotEntry, error: OperationOutcomeError, what: str) -> ExecutionFailed:
        """`error` (the answer to `$execute`) naming the entry, its environment and `what` ran."""
        failure = split_failure(outcome_text(error.outcome))
        return cls(
            f"bot {entry.name!r} (environment {entry.environment!r}) failed on {what} "
            f"(HTTP {error.status}): {failure.error}",
            failure.log,
            error.status,
        )


@dataclass(frozen=True)
class LogEntry:
    """One execution as its AuditEvent records it."""

    time: str
    outcome: str
    log: str

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> LogEntry:
        """The entry an AuditEvent of a bot execution records."""
        return cls(
            time=str(event.get("recorded") or (event.get("period") or {}).get("start") or "?"),
            outcome=OUTCOMES.get(str(event.get("outcome")), str(event.get("outcome", "?"))),
            log=str(event.get("outcomeDesc") or ""),
        )


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
    return [LogEntry.from_event(event) for event in events[:limit]]


# Characters of one execution's log `invoke logs` shows without --full: Medplum keeps the
# last 10 KiB of a run's output, but an AuditEvent written otherwise can hold megabytes.
LOG_CAP = 4_000


def format_log_entry(
    entry: LogEntry, *, full: bool = False, cap: int = LOG_CAP, label: str = ""
) -> list[str]:
    """One execution: a header line (time, `label` such as the bot's name, outcome), then its
    log indented; beyond `cap` characters only the end (where errors are) is kept, with a line
    saying how much was cut and how to see it. `invoke logs` and `--follow` print with it."""
    log = entry.log.rstrip()
    lines = ["  ".join(part for part in (entry.time, label, entry.outcome) if part)]
    if not full and len(log) > cap:
        cut = len(log) - cap
        log = log[cut:]
        lines.append(f"    [{cut:,} earlier characters of this log not shown; --full shows all]")
    lines.extend(f"    {line}" for line in log.splitlines())
    return lines


def format_logs(entries: list[LogEntry], *, full: bool = False, cap: int = LOG_CAP) -> str:
    """Every execution as `format_log_entry` shows it, newest first."""
    if not entries:
        return "no executions recorded (check the Bot's auditEventTrigger/auditEventDestination)"
    return "\n".join(line for e in entries for line in format_log_entry(e, full=full, cap=cap))
