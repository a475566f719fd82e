"""Route 1: an ASGI app that runs every bot of the repository over authenticated HTTP.

`POST /bots/{name}` takes a Medplum execution payload signed by the JavaScript forwarder
(see `signing`) and answers `BotResult.to_json()`; `GET /healthz` answers 200. Before a
handler runs, the request must pass, in order: a body no larger than `max_body` (else 413),
a valid signature with a timestamp at most 5 minutes old, not seen before (else 401), a JSON
payload of the right shape (else 400), a `baseUrl` on the allow-list (else 401; the bot's
token must only ever go back to the Medplum it came from) and a known bot name (else 404).
A bot that raises answers 200 with `ok: false`, its logs and an OperationOutcome; the
runtime keeps serving. The access token is never logged.

Served by uvicorn: `invoke serve` locally, or in the container the generated Dockerfile
builds: `uvicorn --factory medplum_bots.runtime.http_app:app_from_env`. Settings come from
environment variables (see `settings_from_env`).
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from medplum_bots.config import CONFIG_FILE, ProjectConfig, load_config
from medplum_bots.errors import ConfigError, MedplumBotsError, UnknownBotError, outcome
from medplum_bots.runtime.adapter import (
    BotRegistry,
    InvalidPayloadError,
    PooledTransport,
    Transport,
    event_from_payload,
    execute,
)
from medplum_bots.runtime.signing import ReplayCache, SignatureError, check_key, verify

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

KEY_VAR = "MEDPLUM_BOTS_RUNTIME_KEY"
ALLOWED_VAR = "MEDPLUM_BOTS_ALLOWED_BASE_URLS"
DIST_VAR = "MEDPLUM_BOTS_DIST"
MAX_BODY_VAR = "MEDPLUM_BOTS_MAX_BODY"
THREADS_VAR = "MEDPLUM_BOTS_THREADS"
DEFAULT_MAX_BODY = 1_000_000
DEFAULT_THREADS = 32
BOT_PREFIX = "/bots/"

log = logging.getLogger("medplum_bots.runtime")


def normalize_base_url(url: str) -> str:
    """`HTTPS://Api.Example.com` -> `https://api.example.com/`; ValueError if not a base URL."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"a base URL has no query, fragment or credentials: {url!r}")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"


@dataclass(frozen=True)
class RuntimeSettings:
    """What the runtime needs; see `settings_from_env` for where each comes from."""

    key: bytes
    allowed_base_urls: tuple[str, ...]
    dist: Path
    max_body: int = DEFAULT_MAX_BODY
    threads: int = DEFAULT_THREADS


def settings_from_env(
    environ: Mapping[str, str] | None = None, config_path: Path | None = None
) -> RuntimeSettings:
    """Read the runtime's settings; a missing or bad one is a one-line MedplumBotsError.

    - `MEDPLUM_BOTS_RUNTIME_KEY` (required, >= 32 characters): the HMAC key, the same value
      as the Project secret the forwarder reads.
    - `MEDPLUM_BOTS_ALLOWED_BASE_URLS`: comma-separated Medplum base URLs whose payloads are
      accepted; default: every environment `baseUrl` in medplum.config.json (`config_path`).
    - `MEDPLUM_BOTS_DIST` (default `dist`): the build output holding `manifest.json`.
    - `MEDPLUM_BOTS_MAX_BODY` (default 1000000): the largest request body in bytes.
    - `MEDPLUM_BOTS_THREADS` (default 32): worker threads for `def` handlers.
    """
    env = os.environ if environ is None else environ
    raw_key = env.get(KEY_VAR, "").strip()
    if not raw_key:
        raise MedplumBotsError(
            f"{KEY_VAR} is not set; the runtime refuses to start without its signing key "
            "(generate one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    key = check_key(raw_key.encode(), KEY_VAR)
    allowed = _allowed_from_env(env.get(ALLOWED_VAR, ""), config_path)
    return RuntimeSettings(
        key=key,
        allowed_base_urls=allowed,
        dist=Path(env.get(DIST_VAR, "").strip() or "dist"),
        max_body=_positive_int(env, MAX_BODY_VAR, DEFAULT_MAX_BODY),
        threads=_positive_int(env, THREADS_VAR, DEFAULT_THREADS),
    )


def _allowed_from_env(raw: str, config_path: Path | None) -> tuple[str, ...]:
    urls = [part for part in (p.strip() for p in raw.split(",")) if part]
    source = ALLOWED_VAR
    if not urls and config_path is not None and config_path.is_file():
        try:
            config = load_config(config_path)
        except ConfigError as error:
            raise MedplumBotsError(f"{ALLOWED_VAR} is not set and {error}") from None
        urls = [env.base_url for env in config.environments.values()]
        source = f"{config_path.name} environments"
    if not urls:
        raise MedplumBotsError(
            f"{ALLOWED_VAR} is not set: list the Medplum base URLs this runtime serves, "
            "comma-separated (e.g. https://api.medplum.com/)"
        )
    try:
        return tuple(dict.fromkeys(normalize_base_url(url) for url in urls))
    except ValueError as error:
        raise MedplumBotsError(f"{source}: {error}") from None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise MedplumBotsError(f"{name} must be a positive whole number, got {raw!r}")
    return int(raw)


class _Rejected(Exception):
    def __init__(self, status: int, text: str, code: str = "security") -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.code = code


class BotRuntime:
    """The ASGI application (one instance serves every bot of a registry)."""

    def __init__(
        self,
        registry: BotRegistry,
        *,
        key: bytes,
        allowed_base_urls: Sequence[str],
        max_body: int = DEFAULT_MAX_BODY,
        threads: int = DEFAULT_THREADS,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.key = check_key(key)
        self.allowed = frozenset(normalize_base_url(url) for url in allowed_base_urls)
        if not self.allowed:
            raise MedplumBotsError("the runtime needs at least one allowed Medplum base URL")
        self.max_body = max_body
        self.threads = threads
        self.clock = clock
        self.replays = ReplayCache()
        self._pool = PooledTransport() if transport is None else None
        self._transport: Transport = transport if transport is not None else self._pool  # type: ignore[assignment]
        self._executor: ThreadPoolExecutor | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        method: str = scope["method"]
        if path == "/healthz":
            if method not in ("GET", "HEAD"):
                await _answer(send, 405, _error_body("GET only", "not-supported"), allow="GET")
                return
            await _answer(send, 200, {"status": "ok", "bots": len(self.registry)})
            return
        if not path.startswith(BOT_PREFIX) or "/" in path[len(BOT_PREFIX) :]:
            await _answer(send, 404, _error_body(f"no route {path}", "not-found"))
            return
        if method != "POST":
            await _answer(send, 405, _error_body("POST only", "not-supported"), allow="POST")
            return
        await self._run_bot(path[len(BOT_PREFIX) :], scope, receive, send)

    async def _run_bot(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            headers = {
                key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
            }
            body = await self._read_body(headers, receive)
            if body is None:
                return  # the client went away
            handler, payload = self._authorize(name, headers, body)
        except _Rejected as rejected:
            log.warning("bot=%s rejected status=%d: %s", name, rejected.status, rejected.text)
            await _answer(send, rejected.status, _error_body(rejected.text, rejected.code))
            return
        self._ensure_executor()
        try:
            result = await execute(handler, payload, transport=self._transport)
        except InvalidPayloadError as error:
            await _answer(send, 400, _error_body(str(error), "invalid"))
            return
        except Exception:
            log.exception("bot=%s runtime error", name)
            await _answer(send, 500, _error_body("internal error in the bot runtime", "exception"))
            return
        elapsed = (time.perf_counter() - started) * 1000
        log.info("bot=%s ok=%s ms=%.1f", name, result.ok, elapsed)
        await _answer(send, 200, result.to_json())

    async def _read_body(self, headers: Mapping[str, str], receive: Receive) -> bytes | None:
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            raise _Rejected(413, f"request body over {self.max_body} bytes", "too-costly")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _Rejected(413, f"request body over {self.max_body} bytes", "too-costly")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _authorize(
        self, name: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[Any, dict[str, Any]]:
        now = self.clock()
        try:
            signature = verify(self.key, headers, body, now)
            self.replays.check_and_add(signature, now)
        except SignatureError as error:
            raise _Rejected(401, str(error)) from None
        try:
            payload = json.loads(body)
            event_from_payload(payload)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise _Rejected(400, "request body is not JSON", "invalid") from None
        except InvalidPayloadError as error:
            raise _Rejected(400, str(error), "invalid") from None
        base_url = payload.get("baseUrl")
        try:
            allowed = isinstance(base_url, str) and normalize_base_url(base_url) in self.allowed
        except ValueError:
            allowed = False
        if not allowed:
            raise _Rejected(401, "payload baseUrl is not on this runtime's allow-list")
        try:
            handler = self.registry.get(name)
        except UnknownBotError as error:
            raise _Rejected(404, str(error), "not-found") from None
        return handler, payload

    def _ensure_executor(self) -> None:
        # `def` handlers run through asyncio.to_thread, i.e. the loop's default executor;
        # the stock one has min(32, cores + 4) threads, too few for bots waiting on I/O.
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="bot")
            asyncio.get_running_loop().set_default_executor(self._executor)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:
                    await self._pool.aclose_all()
                if self._executor is not None:
                    self._executor.shutdown(wait=False)
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(
    registry: BotRegistry,
    *,
    key: bytes,
    allowed_base_urls: Sequence[str],
    max_body: int = DEFAULT_MAX_BODY,
    threads: int = DEFAULT_THREADS,
    transport: Transport | None = None,
    clock: Callable[[], float] = time.time,
) -> BotRuntime:
    """The ASGI app serving `registry`'s bots; see the module docstring for the checks.

    `transport` replaces the network for the bots' clients (tests); `clock` replaces
    `time.time` when checking signature timestamps (tests).
    """
    return BotRuntime(
        registry,
        key=key,
        allowed_base_urls=allowed_base_urls,
        max_body=max_body,
        threads=threads,
        transport=transport,
        clock=clock,
    )


def app_from_env() -> BotRuntime:
    """uvicorn factory (`--factory`): settings from the environment, bots from the dist dir."""
    settings = settings_from_env(config_path=Path(CONFIG_FILE))
    return create_app(
        BotRegistry.from_dist(settings.dist),
        key=settings.key,
        allowed_base_urls=settings.allowed_base_urls,
        max_body=settings.max_body,
        threads=settings.threads,
    )


def app_for_project(config: ProjectConfig, environ: Mapping[str, str] | None = None) -> BotRuntime:
    """`invoke serve`: settings from the environment over the project's `.env`, then build
    every bot (relative `MEDPLUM_BOTS_DIST` is under the project root) and serve the build.
    """
    from medplum_bots.build.bundle import build_all
    from medplum_bots.deploy.credentials import read_env_file

    dotenv = {k: v for k, v in read_env_file(config.root / ".env").items() if v is not None}
    env = {**dotenv, **(os.environ if environ is None else environ)}
    settings = settings_from_env(env, config.path)
    build_all(config, [])
    dist = settings.dist if settings.dist.is_absolute() else config.root / settings.dist
    return create_app(
        BotRegistry.from_dist(dist),
        key=settings.key,
        allowed_base_urls=settings.allowed_base_urls,
        max_body=settings.max_body,
        threads=settings.threads,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` and listening, for `uvicorn.Server.run(sockets=[...])`.

    Bound before anything says "serving", so a busy port is one line naming it, not a
    "serving on ..." line followed by uvicorn's traceback.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise MedplumBotsError(f"--host {host!r}: unknown interface ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        busy = error.errno == errno.EADDRINUSE
        why = "the port is in use (another server? pick another --port)" if busy else error.strerror
        raise MedplumBotsError(f"cannot listen on {host}:{port}: {why}") from None
    sock.set_inheritable(True)
    return sock


def _error_body(text: str, code: str) -> dict[str, Any]:
    return {"ok": False, "result": None, "logs": [], "outcome": outcome("error", code, text)}


async def _answer(send: Send, status: int, body: Mapping[str, Any], allow: str = "") -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if allow:
        headers.append((b"allow", allow.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
