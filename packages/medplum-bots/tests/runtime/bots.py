"""Bot handlers the runtime tests run, and a call recorder proving which ones ran."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from typing import Any

from medplum_bots import AsyncMedplumClient, BotEvent, MedplumClient
from medplum_bots.runtime.adapter import Handler

KEY = b"runtime-test-key-0123456789-abcdefghij"
BASE_URL = "http://medplum.local/"


class Calls:
    """Names of the bots that ran, in order (thread-safe)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._lock = threading.Lock()

    def add(self, name: str) -> None:
        with self._lock:
            self.names.append(name)


CALLS = Calls()


def hello(medplum: MedplumClient, event: BotEvent) -> Any:
    """Greets the Patient, stores an Observation with its token, logs through three channels."""
    CALLS.add("hello")
    name = event.input["name"][0]
    print(f"Hello {name['given'][0]} {name['family']}!")
    print("to stderr", file=sys.stderr)
    logging.getLogger("bots.hello").warning("warned %s", name["family"])
    created = medplum.create_resource(
        {"resourceType": "Observation", "status": "final", "code": {"text": "greeted"}}
    )
    return {"greeted": name["family"], "observation": created["id"]}


async def async_echo(medplum: AsyncMedplumClient, event: BotEvent) -> Any:
    CALLS.add("async_echo")
    for step in range(3):
        print(f"{event.input['tag']} step {step}")
        await asyncio.sleep(0.002)
    return {"tag": event.input["tag"], "client": type(medplum).__name__}


def sync_echo(medplum: MedplumClient, event: BotEvent) -> Any:
    CALLS.add("sync_echo")
    for step in range(3):
        print(f"{event.input['tag']} step {step}")
        threading.Event().wait(0.002)
    return {"tag": event.input["tag"], "client": type(medplum).__name__}


def boom(medplum: MedplumClient, event: BotEvent) -> Any:
    CALLS.add("boom")
    print("about to fail")
    raise ValueError("patient has no name")


def describe(medplum: MedplumClient, event: BotEvent) -> Any:
    """Returns what the bot saw: input type, secrets' names, headers, content type."""
    CALLS.add("describe")
    return {
        "input": event.input,
        "inputType": type(event.input).__name__,
        "contentType": event.content_type,
        "secrets": sorted(event.secrets),
        "apiKey": event.secret("API_KEY"),
        "deleted": event.headers.get("x-medplum-deleted-resource"),
        "headers": sorted(name.lower() for name in event.headers),
        "traceId": event.trace_id,
    }


def hl7_echo(medplum: MedplumClient, event: BotEvent) -> Any:
    """Answers an HL7 v2 message with text naming the input's Python type and its segments."""
    CALLS.add("hl7_echo")
    return f"{type(event.input).__name__}:" + "/".join(map(str, event.input.segments))


ALL: dict[str, Handler] = {
    "hello": hello,
    "async_echo": async_echo,
    "sync_echo": sync_echo,
    "boom": boom,
    "describe": describe,
    "hl7_echo": hl7_echo,
}
