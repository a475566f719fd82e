"""A sealed worker: one bot version, one execution at a time, in a process of its own.

Forked by the zygote (`runtime/zygote.py`), it talks to the supervisor over one socket
(`runtime/ipc.py` frames):
1. `{"load": <artifact text>, "name": <bot>}` -> `{"loaded": true}` or `{"broken": <why>}`
   (then it exits);
2. per execution `{"run": <payload>, "id": n}` -> `{"done": BotResult.to_json(), "retire":
   bool}`. While the bot runs, what it writes goes to memory shared with the supervisor
   (`runtime/logring.py`), which reads it if this process is killed or dies.
The supervisor holds the keys, checks signatures and enforces the timeout (it kills this
process group); this side only runs the verified artifact it was handed. Module state lives
across the executions of this worker (a warm bot version), as it did in one process before.
"""

from __future__ import annotations

import asyncio
import inspect
import mmap
import socket
from typing import Any

from medplum_bots.runtime import ipc
from medplum_bots.runtime.adapter import (
    BotResult,
    Handler,
    InvalidPayloadError,
    ended,
    execute,
    execute_sync,
)
from medplum_bots.runtime.logring import LogRing


class Channel:
    """The worker's end of its socket (answers) and its shared log memory (`logring`)."""

    def __init__(self, sock: socket.socket, logs: LogRing) -> None:
        self.sock = sock
        self.logs = logs

    def send(self, message: Any) -> None:
        self.sock.sendall(ipc.encode(message))

    def log(self, text: str) -> None:
        self.logs.write(text)


def load(text: str, name: str) -> Handler:
    from medplum_bots.build.loader import load_isolated

    module = load_isolated(text, name)
    handler = getattr(module, "handler", None)
    if not callable(handler):
        raise LookupError("the artifact defines no `handler`")
    return handler  # type: ignore[no-any-return]


def serve(sock: socket.socket, logs: mmap.mmap, memory_mb: int) -> int:
    """Run until the supervisor closes the channel; the process exit code."""
    channel = Channel(sock, LogRing(logs))
    try:
        first = ipc.recv_frame(sock)
    except ipc.PeerGone:
        return 0
    try:
        handler = load(str(first["load"]), str(first["name"]))
    except MemoryError:
        channel.send({"broken": f"loading exceeded the worker memory limit of {memory_mb} MB"})
        return 1
    except BaseException as error:  # an artifact's top level may raise anything
        channel.send({"broken": f"{type(error).__name__}: {error}"})
        return 1
    channel.send({"loaded": True})
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    while True:
        try:
            message = ipc.recv_frame(sock)
        except ipc.PeerGone:
            return 0
        payload = message["run"]
        channel.logs.begin(int(message.get("id", 0)))
        result, retire = run_one(handler, payload, loop, channel, memory_mb)
        channel.send({"done": result.to_json(), "retire": retire})
        if retire:
            return 0


def run_one(
    handler: Handler,
    payload: Any,
    loop: asyncio.AbstractEventLoop,
    channel: Channel,
    memory_mb: int,
) -> tuple[BotResult, bool]:
    """One execution; the bool says this worker must not run another (its state is suspect)."""
    token = payload.get("accessToken") if isinstance(payload, dict) else None
    try:
        if inspect.iscoroutinefunction(handler):
            result = loop.run_until_complete(execute(handler, payload, log_sink=channel.log))
        else:
            result = execute_sync(handler, payload, log_sink=channel.log)
    except InvalidPayloadError as error:
        return ended(str(error), "invalid", [], None), False
    except BaseException as error:  # escaped the adapter (e.g. raised from a callback)
        return ended(f"{type(error).__name__}: {error}", "exception", [], token), True
    if not result.ok and _out_of_memory(result):
        text = f"bot exceeded the worker memory limit of {memory_mb} MB"
        return ended(text, "too-costly", result.logs, token, "Out of memory"), True
    return result, False


def _out_of_memory(result: BotResult) -> bool:
    issues = (result.outcome or {}).get("issue") or [{}]
    text = str((issues[0].get("details") or {}).get("text", ""))
    return text.startswith("MemoryError")
