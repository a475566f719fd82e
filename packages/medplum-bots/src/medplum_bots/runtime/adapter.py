"""Run a bot handler the way Medplum does: execution payload in, `BotResult` out.

Medplum hands every runtime the same JSON payload (`bot`, `baseUrl`, `accessToken`,
`requester`, `input`, `contentType`, `secrets`, `traceId`, `headers`). `execute` builds a
client bound to `baseUrl` + `accessToken` (sending the trace id), a `BotEvent`, calls the
handler and returns what happened: the JSON-safe result, the lines the bot printed or logged
during that execution only, and an OperationOutcome when it failed. The payload itself is
never logged: it holds the bot's access token.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import dataclasses
import datetime
import enum
import inspect
import json
import math
import os
import ssl
import sys
import threading
import traceback
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from medplum_bots.client import AsyncMedplumClient, MedplumClient
from medplum_bots.errors import MedplumBotsError, OperationOutcomeError, UnknownBotError, outcome
from medplum_bots.event import BotEvent, Headers
from medplum_bots.hl7 import Hl7Message, input_for
from medplum_bots.redaction import redact
from medplum_bots.runtime.capture import LogBuffer, capture_logs, hold_capture
from medplum_bots.runtime.threads import BotThreads
from medplum_bots.urls import normalize_base_url

HL7_V2 = "x-application/hl7-v2+er7"
JSON_CONTENT_TYPES = ("application/json", "application/fhir+json")

Handler = Callable[[Any, BotEvent], Any]
Transport = httpx.BaseTransport | httpx.AsyncBaseTransport


class InvalidPayloadError(MedplumBotsError):
    """The execution payload is not what Medplum sends; the handler was not called."""


class ResultError(MedplumBotsError):
    """A bot returned something JSON cannot hold."""


class BotEscaped(Exception):
    """A bot raised something that is not an Exception (SystemExit, KeyboardInterrupt,
    GeneratorExit, CancelledError): carried as an Exception so it ends that execution only."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


@dataclass(frozen=True)
class BotResult:
    """What one execution produced.

    `ok` is False when the handler raised or returned something JSON cannot hold; `outcome`
    then holds an OperationOutcome describing the failure. `logs` are the lines the bot
    printed (stdout, stderr) or logged during this execution, tracebacks included.
    """

    ok: bool
    result: Any
    logs: list[str]
    outcome: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """A dict ready for `json.dumps`: `{ok, result, logs, outcome}`."""
        return {"ok": self.ok, "result": self.result, "logs": self.logs, "outcome": self.outcome}


class PooledTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Connection pools shared by every execution's client (sync and async).

    Building an httpx client's own transport loads the CA bundle (milliseconds); executions
    reuse these pools instead. Clients closing this transport do nothing; `aclose_all`
    really closes it. Async pools are kept per event loop, since connections belong to one.
    """

    def __init__(self) -> None:
        self._ssl: ssl.SSLContext | None = None
        self._sync: httpx.HTTPTransport | None = None
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, httpx.AsyncHTTPTransport
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def ssl_context(self) -> ssl.SSLContext:
        """One TLS context (CA bundle loaded once) for every pool; a worker's zygote makes it
        before forking, so workers start with it loaded."""
        with self._lock:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            return self._ssl

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        context = self.ssl_context()
        with self._lock:
            if self._sync is None:
                self._sync = httpx.HTTPTransport(verify=context)
            pool = self._sync
        return pool.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        pool = self._async.get(loop)
        if pool is None:
            pool = self._async[loop] = httpx.AsyncHTTPTransport(verify=self.ssl_context())
        return await pool.handle_async_request(request)

    def close(self) -> None:
        """Called by each client on close: the pools stay open for the next execution."""

    async def aclose(self) -> None:
        """Called by each async client on close: the pools stay open."""

    async def aclose_loop(self) -> None:
        """Close the async pool of the running event loop (before that loop ends)."""
        pool = self._async.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.aclose()

    async def aclose_all(self) -> None:
        """Close the sync pool and the running loop's async pool."""
        await self.aclose_loop()
        with self._lock:
            pool, self._sync = self._sync, None
        if pool is not None:
            pool.close()


DEFAULT_POOL = PooledTransport()


def content_type_base(content_type: str) -> str:
    """`"application/json; charset=utf-8"` -> `"application/json"`."""
    return content_type.split(";", 1)[0].strip().lower()


def is_json_content_type(content_type: str) -> bool:
    """True for application/json, application/fhir+json and any other `+json` type."""
    base = content_type_base(content_type)
    return base in JSON_CONTENT_TYPES or base.endswith("+json")


def event_from_payload(payload: Any) -> BotEvent:
    """The `BotEvent` a handler receives for a Medplum execution payload.

    JSON content types given as text are parsed, HL7 v2 messages become `Hl7Message`s (as
    Medplum hands TypeScript bots), plain text stays as sent. Raises InvalidPayloadError
    naming the bad field.
    """
    if not isinstance(payload, Mapping):
        raise InvalidPayloadError("execution payload must be a JSON object")
    content_type = payload.get("contentType") or "application/json"
    if not isinstance(content_type, str):
        raise InvalidPayloadError("payload field 'contentType' must be a string")
    value = payload.get("input")
    if isinstance(value, str) and is_json_content_type(content_type) and value.strip():
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise InvalidPayloadError(
                f"payload field 'input' is not valid JSON for {content_type_base(content_type)}"
                f" (line {error.lineno} column {error.colno}: {error.msg})"
            ) from None
    value = input_for(content_type, value)
    bot = _object_or_empty(payload, "bot")
    secrets = _object_or_empty(payload, "secrets")
    headers = _object_or_empty(payload, "headers")
    requester = payload.get("requester")
    trace_id = payload.get("traceId")
    if any(not isinstance(setting, Mapping) for setting in secrets.values()):
        raise InvalidPayloadError("payload field 'secrets' must map names to ProjectSettings")
    if requester is not None and not isinstance(requester, Mapping):
        raise InvalidPayloadError("payload field 'requester' must be a Reference object")
    if trace_id is not None and not isinstance(trace_id, str):
        raise InvalidPayloadError("payload field 'traceId' must be a string")
    return BotEvent(
        bot=dict(bot),
        input=value,
        content_type=content_type,
        secrets={name: dict(setting) for name, setting in secrets.items()},
        trace_id=trace_id or None,
        headers=Headers(headers),
        requester=dict(requester) if requester is not None else None,
    )


def _object_or_empty(payload: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = payload.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidPayloadError(f"payload field {name!r} must be an object")
    return value


def make_payload(
    input: Any,
    *,
    base_url: str = "http://medplum.local/",
    access_token: str | None = "local-access-token",
    content_type: str | None = None,
    secrets: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    bot: Mapping[str, Any] | None = None,
    requester: Mapping[str, Any] | None = None,
    trace_id: str | None = None,
) -> dict[str, Any]:
    """An execution payload shaped like Medplum's, for tests and local runs.

    `content_type` defaults from `input`: a FHIR resource -> application/fhir+json, text ->
    text/plain, anything else -> application/json. `secrets` may map names to plain values
    (`{"API_KEY": "abc"}`), which become ProjectSettings, or to ProjectSettings themselves.
    """
    if content_type is None:
        if isinstance(input, Mapping) and "resourceType" in input:
            content_type = "application/fhir+json"
        elif isinstance(input, str):
            content_type = "text/plain"
        else:
            content_type = "application/json"
    return {
        "bot": dict(bot or {"reference": "Bot/local", "display": "local"}),
        "baseUrl": base_url,
        "accessToken": access_token,
        "requester": dict(requester) if requester is not None else None,
        "input": input,
        "contentType": content_type,
        "secrets": {name: _setting(name, value) for name, value in (secrets or {}).items()},
        "traceId": trace_id or str(uuid.uuid4()),
        "headers": dict(headers or {}),
    }


def _setting(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, bool):
        return {"name": name, "valueBoolean": value}
    if isinstance(value, int):
        return {"name": name, "valueInteger": value}
    if isinstance(value, float):
        return {"name": name, "valueDecimal": value}
    return {"name": name, "valueString": str(value)}


def _is_base_url(url: str) -> bool:
    try:
        normalize_base_url(url)
    except ValueError:
        return False
    return True


def _connection(payload: Any) -> tuple[str, str | None]:
    if not isinstance(payload, Mapping):
        raise InvalidPayloadError("execution payload must be a JSON object")
    base_url = payload.get("baseUrl")
    token = payload.get("accessToken")
    if not isinstance(base_url, str) or not _is_base_url(base_url):
        raise InvalidPayloadError("payload field 'baseUrl' must be an http(s) URL")
    if token is not None and not isinstance(token, str):
        raise InvalidPayloadError("payload field 'accessToken' must be a string")
    return base_url, token or None


async def execute(
    handler: Handler,
    payload: Mapping[str, Any],
    *,
    transport: Transport | None = None,
    timeout: float | None = None,
    threads: BotThreads | None = None,
    log_sink: Callable[[str], None] | None = None,
) -> BotResult:
    """Run `handler` for one execution payload and report what happened.

    An `async def` handler receives an `AsyncMedplumClient` and runs on this event loop; a
    `def` handler receives a `MedplumClient` and runs in a worker thread (from `threads`, or
    asyncio's default executor). `transport` (for tests: an `InMemoryMedplum`) replaces the
    network; by default executions share `DEFAULT_POOL`'s connections. A malformed payload
    raises InvalidPayloadError before the handler runs; anything the handler raises becomes
    `BotResult(ok=False)`. With `timeout` (seconds), a bot still running after it is answered
    as a failure with its logs so far: an `async def` one is cancelled, a `def` one keeps its
    thread until it returns (Python cannot stop a thread), writing to a discarded buffer.
    `log_sink` (a sealed worker, one execution at a time) receives the output as it is
    written, threads the bot starts included.
    """
    event = event_from_payload(payload)
    base_url, token = _connection(payload)
    transport = DEFAULT_POOL if transport is None else transport
    with capture_logs(log_sink, catch_all=log_sink is not None) as logs:
        running: asyncio.Future[Any]
        if inspect.iscoroutinefunction(handler):
            running = asyncio.ensure_future(_call_async(handler, event, base_url, token, transport))
        elif threads is not None:
            # The copied context carries the log capture into the worker thread.
            context = contextvars.copy_context()
            work = threads.submit(
                context.run, _call_sync, handler, event, base_url, token, transport
            )
            running = asyncio.wrap_future(work)
        else:
            running = asyncio.ensure_future(
                asyncio.to_thread(_call_sync, handler, event, base_url, token, transport)
            )
        done, _ = await asyncio.wait({running}, timeout=timeout)
        if not done:
            release = hold_capture()
            running.add_done_callback(release)
            running.cancel()
            return _timed_out(timeout or 0.0, logs, token)
        try:
            value = running.result()
        except Exception as error:
            return _failure(error, logs, token)
        return _success(value, event, logs, token)


def execute_sync(
    handler: Handler,
    payload: Mapping[str, Any],
    *,
    transport: Transport | None = None,
    log_sink: Callable[[str], None] | None = None,
) -> BotResult:
    """`execute` for code without an event loop (tests, scripts, the Lambda route).

    A `def` handler runs in the calling thread; an `async def` handler in a fresh event loop.
    """
    if inspect.iscoroutinefunction(handler):
        return asyncio.run(_execute_in_new_loop(handler, payload, transport, log_sink))
    event = event_from_payload(payload)
    base_url, token = _connection(payload)
    transport = DEFAULT_POOL if transport is None else transport
    with capture_logs(log_sink, catch_all=log_sink is not None) as logs:
        try:
            value = _call_sync(handler, event, base_url, token, transport)
        except Exception as error:
            return _failure(error, logs, token)
        return _success(value, event, logs, token)


async def _execute_in_new_loop(
    handler: Handler,
    payload: Mapping[str, Any],
    transport: Transport | None,
    log_sink: Callable[[str], None] | None,
) -> BotResult:
    try:
        return await execute(handler, payload, transport=transport, log_sink=log_sink)
    finally:
        # This loop ends with the call; its pooled connections must not outlive it.
        await DEFAULT_POOL.aclose_loop()


def _call_sync(
    handler: Handler,
    event: BotEvent,
    base_url: str,
    token: str | None,
    transport: Transport | None,
) -> Any:
    if transport is not None and not isinstance(transport, httpx.BaseTransport):
        raise TypeError("a `def` handler needs a synchronous httpx transport")
    client = MedplumClient(
        base_url, access_token=token, trace_id=event.trace_id, transport=transport
    )
    try:
        return handler(client, event)
    except Exception:
        raise
    except BaseException as error:  # SystemExit, KeyboardInterrupt...: this execution only
        raise BotEscaped(error) from error
    finally:
        client.close()


async def _call_async(
    handler: Handler,
    event: BotEvent,
    base_url: str,
    token: str | None,
    transport: Transport | None,
) -> Any:
    if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
        raise TypeError("an `async def` handler needs an asynchronous httpx transport")
    client = AsyncMedplumClient(
        base_url, access_token=token, trace_id=event.trace_id, transport=transport
    )
    try:
        return await handler(client, event)
    except Exception:
        raise
    except BaseException as error:  # raised by the bot (KeyboardInterrupt, CancelledError...)
        raise BotEscaped(error) from error
    finally:
        await client.close()


def _redact(text: str, token: str | None) -> str:
    return redact(text, (token,))


def _success(value: Any, event: BotEvent, logs: LogBuffer, token: str | None) -> BotResult:
    if content_type_base(event.content_type) == HL7_V2 and not _is_json_native(value):
        # Medplum answers an HL7 v2 execution with the result's text form (its toString()).
        value = str(value)
    try:
        result = to_jsonable(value)
    except ResultError as error:
        text = _redact(str(error), token)
        lines = [_redact(line, token) for line in logs.lines()]
        return BotResult(False, None, [*lines, text], outcome("error", "processing", text))
    lines = [_redact(line, token) for line in logs.lines()]
    return BotResult(True, result, lines, None)


def _failure(error: BaseException, logs: LogBuffer, token: str | None) -> BotResult:
    if isinstance(error, BotEscaped):
        error = error.original
    if isinstance(error, OperationOutcomeError):
        failure = error.outcome
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        failure = outcome("error", "exception", _redact(text, token))
    logs.write(f"Unhandled error: {text}\n")
    logs.write(_bot_traceback(error))
    lines = [_redact(line, token) for line in logs.lines()]
    return BotResult(False, None, lines, failure)


def _timed_out(timeout: float, logs: LogBuffer, token: str | None) -> BotResult:
    return ended(
        f"bot did not finish within its timeout of {timeout:g} s",
        "timeout",
        logs.lines(),
        token,
        "Timed out",
    )


def ended(
    text: str, code: str, lines: list[str], token: str | None, label: str = "Unhandled error"
) -> BotResult:
    """A failed execution that ended without an answer of its own (timeout, killed worker):
    its logs so far, then `<label>: <text>`; `code` is the OperationOutcome issue code."""
    kept = [_redact(line, token) for line in lines]
    return BotResult(False, None, [*kept, f"{label}: {text}"], outcome("error", code, text))


_PACKAGE_DIR = str(Path(__file__).resolve().parents[1]) + os.sep
_SITE_DIRS = tuple(
    sorted({str(Path(p).resolve()) + os.sep for p in sys.path if p.endswith("-packages")}, key=len)
)
_STDLIB_DIR = str(Path(os.__file__).resolve().parent) + os.sep


def _bot_traceback(error: BaseException) -> str:
    """The traceback as a bot author needs it: frames of medplum_bots itself (runtime, client)
    left out, library paths shortened (`<site-packages>/httpx/...`) so no host path shows."""
    frames = [f for f in traceback.extract_tb(_user_frames(error)) if not _is_ours(f.filename)]
    for frame in frames:
        frame.filename = _short_path(frame.filename)
    lines = [
        "Traceback (most recent call last):\n",
        *traceback.StackSummary.from_list(frames).format(),
    ]
    lines.extend(traceback.format_exception_only(type(error), error))
    return "".join(lines)


def _is_ours(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR) or filename.startswith("<artifact ")


def _short_path(filename: str) -> str:
    for site in reversed(_SITE_DIRS):
        if filename.startswith(site):
            return "<site-packages>/" + filename[len(site) :]
    if filename.startswith(_STDLIB_DIR):
        return "<python>/" + filename[len(_STDLIB_DIR) :]
    return filename


def _user_frames(error: BaseException) -> TracebackType | None:
    """The traceback without this module's own frames (they say nothing about the bot)."""
    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == __file__:
        frames = frames.tb_next
    return frames


def _is_json_native(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, dict, list))


def to_jsonable(value: Any, path: str = "$") -> Any:
    """`value` as plain JSON data, or ResultError naming where it is not representable.

    Beyond JSON's own types: tuples, sets (sorted when possible), dataclasses, enums (their
    value), dates and times (ISO 8601), Decimal, UUID, pydantic-style models (`model_dump`),
    and bytes that are UTF-8 text. NaN/infinity and other objects are errors.
    """
    return _jsonable(value, path, set())


def _jsonable(value: Any, path: str, parents: set[int]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value, path, parents)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ResultError(f"bot result at {path} is {value}, which JSON cannot hold")
        return float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ResultError(f"bot result at {path} is {value}, which JSON cannot hold")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise ResultError(
                f"bot result at {path} is binary data that is not UTF-8 text; return "
                f"base64 text (e.g. {base64.b64encode(b'...').decode()!r}) or a Binary"
            ) from None
    if id(value) in parents:
        raise ResultError(f"bot result at {path} contains itself")
    parents = parents | {id(value)}
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            result[_json_key(key, path)] = _jsonable(item, f"{path}.{key}", parents)
        return result
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{path}[{i}]", parents) for i, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        try:
            items = sorted(value)
        except TypeError:
            items = list(value)
        return [_jsonable(item, f"{path}[{i}]", parents) for i, item in enumerate(items)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return _jsonable(fields, path, parents)
    if isinstance(value, Hl7Message):
        return value.to_string()  # an HL7 answer is its text, as Medplum's toString()
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return _jsonable(dump(mode="json"), path, parents)
    raise ResultError(
        f"bot result at {path} is a {type(value).__name__}, which JSON cannot hold; "
        "return dicts, lists, strings, numbers, booleans or None"
    )


def _json_key(key: Any, path: str) -> str:
    # The same key conversions as json.dumps.
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return str(key)
    raise ResultError(f"bot result at {path} has a {type(key).__name__} key; keys must be text")


class BotRegistry:
    """The runnable bots of a build, by artifact name (`my_first_bot`)."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)

    def resolve(self, name: str, payload: Mapping[str, Any]) -> Handler:
        """The handler for an execution of bot `name` (a fixed registry ignores the payload)."""
        return self.get(name)

    def get(self, name: str) -> Handler:
        """The handler of bot `name`, or UnknownBotError."""
        try:
            return self._handlers[name]
        except KeyError:
            raise UnknownBotError(f"no bot named {name!r} in this runtime") from None

    def names(self) -> list[str]:
        """The bot names, sorted."""
        return sorted(self._handlers)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __len__(self) -> int:
        return len(self._handlers)
