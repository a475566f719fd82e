"""`invoke run`: build one bot and run it once, offline, against an in-memory Medplum.

The bot runs from its built artifact (what is deployed), through the same adapter as in
production, so a bundling mistake shows up here rather than on Medplum. When the input is a
FHIR resource with an `id` it is stored in the in-memory server first, as it would be on
Medplum when a Subscription fires, so the bot can read it back.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medplum_bots.config import BotEntry, ProjectConfig
from medplum_bots.errors import ConfigError, MedplumBotsError, UnknownBotError
from medplum_bots.runtime.adapter import (
    HL7_V2,
    BotResult,
    execute,
    is_json_content_type,
    make_payload,
)
from medplum_bots.runtime.threads import BotThreads
from medplum_bots.testing.inmemory import BASE_URL, InMemoryMedplum

DEFAULT_TIMEOUT = 10  # Medplum's default Bot timeout (seconds)

CONTENT_TYPES_BY_SUFFIX = {
    ".json": "application/json",
    ".hl7": HL7_V2,
    ".er7": HL7_V2,
    ".txt": "text/plain",
}


@dataclass(frozen=True)
class LocalRun:
    """One local execution: the entry run, the result, and the in-memory server it used."""

    entry: BotEntry
    result: BotResult
    medplum: InMemoryMedplum


def find_entry(config: ProjectConfig, name: str) -> BotEntry:
    """The entry named `name`, or else the first entry whose bot module is `name`.

    So `my-first-bot-staging`, `my-first-bot` and `my_first_bot` all find the same bot.
    """
    for entry in config.bots:
        if entry.name == name:
            return entry
    module = name.replace("-", "_")
    for entry in config.bots:
        if entry.module_name == module:
            return entry
    names = ", ".join(entry.name for entry in config.bots) or "none"
    raise UnknownBotError(f"{config.path.name}: no bot named {name!r} (configured: {names})")


def guess_content_type(input_name: str, text: str) -> str:
    """The content type for an input file: by suffix, else JSON when it parses, else text."""
    by_suffix = CONTENT_TYPES_BY_SUFFIX.get(Path(input_name).suffix.lower())
    if by_suffix is not None:
        return by_suffix
    if text.startswith("MSH|"):
        return HL7_V2
    if text.lstrip().startswith(("{", "[")):
        return "application/json"
    try:
        json.loads(text)
    except ValueError:
        return "text/plain"
    return "application/json"


def parse_input(text: str, content_type: str, input_name: str) -> Any:
    """The event input: parsed JSON for JSON content types, the text itself otherwise."""
    if not is_json_content_type(content_type):
        # HL7 v2 segments are separated by carriage returns; files usually hold newlines.
        return text.replace("\r\n", "\r").replace("\n", "\r") if content_type == HL7_V2 else text
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MedplumBotsError(
            f"{input_name}:{error.lineno}:{error.colno}: not valid JSON ({error.msg})"
        ) from None


def run_local(
    config: ProjectConfig,
    name: str,
    text: str,
    *,
    input_name: str = "<stdin>",
    content_type: str | None = None,
    secrets: dict[str, str] | None = None,
) -> LocalRun:
    """Build entry `name`, then run it once with `text` as input; never touches the network.

    The entry's `timeout` (default 10 s, as on Medplum) holds: a bot still running after it
    is answered as a failure with its logs so far.
    """
    from medplum_bots.build.bundle import build_bot
    from medplum_bots.build.loader import load_artifact

    entry = find_entry(config, name)
    root = config.root
    kind = content_type or guess_content_type(input_name, text)
    value = parse_input(text, kind, input_name)
    if content_type is None and isinstance(value, dict) and "resourceType" in value:
        kind = "application/fhir+json"
    artifact = build_bot(root / entry.source, root, root / entry.dist)
    module = load_artifact(artifact.path)
    handler = getattr(module, "handler", None)
    if not callable(handler):
        raise ConfigError(f"{entry.source}: the bot defines no `handler` function")
    medplum = InMemoryMedplum()
    if isinstance(value, dict) and value.get("resourceType") and value.get("id"):
        with medplum.client() as seed:
            value = seed.update_resource(value)
    payload = make_payload(
        value,
        base_url=BASE_URL,
        access_token=medplum.issue_token(),
        content_type=kind,
        secrets=secrets,
        bot={"reference": f"Bot/{entry.id or 'local'}", "display": entry.name},
    )
    timeout = float(entry.timeout or DEFAULT_TIMEOUT)
    # A worker thread for a `def` bot: one that never returns is left behind (a daemon).
    result = asyncio.run(
        execute(handler, payload, transport=medplum, timeout=timeout, threads=BotThreads(1))
    )
    return LocalRun(entry, result, medplum)


def read_input(source: str) -> tuple[str, str]:
    """The input text and a label for messages: `-` reads stdin, anything else a file.

    "" (no --input) reads stdin too, unless it is a terminal: then nobody is piping an event
    in, and the user is told how to give one instead of facing a silent wait.
    """
    import sys

    if source in ("", "-"):
        terminal = sys.stdin is None or sys.stdin.isatty()
        if terminal and not source:
            # Reading would wait, without a word, for the user to type an event.
            raise MedplumBotsError(
                "no input: pass --input FILE (e.g. --input event.json), pipe one in "
                "(cat event.json | invoke run --name ...), or --input - to type it"
            )
        if terminal:
            print("reading the input from the terminal; end it with Ctrl-D", file=sys.stderr)
        try:
            # Bytes: text mode would turn CRLF into LF (HL7 v2 segments end in CR).
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise MedplumBotsError(f"<stdin>: not UTF-8 text (byte {error.start})") from None
        if not text.strip():
            # An empty pipe (`< /dev/null`, a CI step with nothing attached) is no event.
            raise MedplumBotsError("no input: pass --input FILE or pipe JSON into invoke run")
        return text, "<stdin>"
    path = Path(source)
    try:
        return path.read_bytes().decode("utf-8"), source
    except FileNotFoundError:
        raise MedplumBotsError(f"input file {source} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MedplumBotsError(f"input file {source} cannot be read ({error})") from None


def parse_secrets(pairs: list[str]) -> dict[str, str]:
    """`["API_KEY=abc"]` -> `{"API_KEY": "abc"}`; a pair without `=` is an error."""
    secrets: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise MedplumBotsError(f"--secret must look like NAME=VALUE, got {name.strip()!r}")
        secrets[name.strip()] = value
    return secrets
