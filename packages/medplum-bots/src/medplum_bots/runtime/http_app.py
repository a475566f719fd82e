"""Route 1: the generic Python bots runtime, an ASGI app behind authenticated HTTP.

`POST /bots/{name}` takes a Medplum execution payload signed by the JavaScript forwarder
(see `signing`), carrying the bot's artifact and its deploy signature (see `artifacts`), and
answers `BotResult.to_json()`. Before a handler runs, the request must pass, in order: a body
no larger than `max_body` (else 413), a valid signature over the body and the bot's name with
a timestamp at most 5 minutes old, not seen before (else 401; 503 when the replay window is
full), a JSON payload of the right shape (else 400), a `baseUrl` on the allow-list (else 401;
the bot's token must only ever go back to the Medplum it came from) and an artifact signed by
a trusted deploy key (else 403). The runtime holds no bot code of its own: it runs what the
Bot's executable code carries, so a deploy takes effect at the next execution.

A bot that raises, or runs past its timeout, answers 200 with `ok: false`, its logs and an
OperationOutcome; the runtime keeps serving (503 only when every worker thread is stuck).
`POST /capabilities` (signed with a deploy key) tells `invoke deploy` what this runtime offers;
`GET /healthz` says whether it can take work. The access token is never logged.

Served by uvicorn: `invoke serve` locally, or the container the generated Dockerfile builds:
`uvicorn --factory medplum_bots.runtime.http_app:app_from_env`. Settings come from
environment variables (see `settings_from_env`).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medplum_bots.config import CONFIG_FILE, ProjectConfig, load_config
from medplum_bots.errors import ConfigError, MedplumBotsError, UnknownBotError, outcome
from medplum_bots.runtime.adapter import (
    BotRegistry,
    Handler,
    InvalidPayloadError,
    PooledTransport,
    Transport,
    event_from_payload,
    execute,
)
from medplum_bots.runtime.artifacts import (
    DEFAULT_CACHE_ENTRIES,
    ArtifactBroken,
    ArtifactRefused,
    SignedArtifacts,
)
from medplum_bots.runtime.capabilities import capabilities
from medplum_bots.runtime.deploy_keys import (
    TRUSTED_KEYS_VAR,
    DeployKeyError,
    TrustedKeys,
    verify_request,
)
from medplum_bots.runtime.signing import (
    DEFAULT_REPLAY_ENTRIES,
    ReplayCache,
    ReplayStore,
    ReplayWindowFull,
    SignatureError,
    check_key,
    check_replay,
    verify,
)
from medplum_bots.runtime.threads import BotThreads, RuntimeBusy
from medplum_bots.urls import normalize_base_url as normalize_base_url  # tests import it here

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

KEY_VAR = "MEDPLUM_BOTS_RUNTIME_KEY"
ALLOWED_VAR = "MEDPLUM_BOTS_ALLOWED_BASE_URLS"
MAX_BODY_VAR = "MEDPLUM_BOTS_MAX_BODY"
THREADS_VAR = "MEDPLUM_BOTS_THREADS"
MAX_TIMEOUT_VAR = "MEDPLUM_BOTS_MAX_TIMEOUT"
REPLAY_VAR = "MEDPLUM_BOTS_REPLAY_ENTRIES"
CACHE_VAR = "MEDPLUM_BOTS_ARTIFACT_CACHE"
GRACE_VAR = "MEDPLUM_BOTS_SHUTDOWN_GRACE"
# The request carries the artifact (base64); Medplum's own JSON limit (`maxJsonSize`, 1 MB by
# default) bounds the forwarder, so 4 MB leaves room for the payload next to it.
DEFAULT_MAX_BODY = 4_000_000
DEFAULT_THREADS = 64
DEFAULT_TIMEOUT = 10.0  # Medplum's default Bot timeout, when the forwarder names none
DEFAULT_MAX_TIMEOUT = 900  # Lambda's ceiling, which Medplum applies to Bot.timeout
DEFAULT_GRACE = 10
BOT_PREFIX = "/bots/"
CAPABILITIES_PATH = "/capabilities"

log = logging.getLogger("medplum_bots.runtime")


@dataclass(frozen=True)
class RuntimeSettings:
    """What the runtime needs; see `settings_from_env` for where each comes from."""

    key: bytes
    allowed_base_urls: tuple[str, ...]
    trusted_keys: TrustedKeys
    max_body: int = DEFAULT_MAX_BODY
    threads: int = DEFAULT_THREADS
    max_timeout: int = DEFAULT_MAX_TIMEOUT
    replay_entries: int = DEFAULT_REPLAY_ENTRIES
    cache_entries: int = DEFAULT_CACHE_ENTRIES
    shutdown_grace: int = DEFAULT_GRACE


def settings_from_env(
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    *,
    require_trusted_keys: bool = True,
) -> RuntimeSettings:
    """Read the runtime's settings; a missing or bad one is a one-line MedplumBotsError.

    - `MEDPLUM_BOTS_RUNTIME_KEY` (required, >= 32 characters): the HMAC key, the same value
      as the Project secret the forwarder reads.
    - `MEDPLUM_BOTS_ALLOWED_BASE_URLS`: comma-separated Medplum base URLs whose payloads are
      accepted; default: every environment `baseUrl` in medplum.config.json (`config_path`).
    - `MEDPLUM_BOTS_TRUSTED_KEYS` (required): comma-separated deploy public keys
      (`ed25519:...`, printed by `invoke deploy-key`); only artifacts they signed run.
    - `MEDPLUM_BOTS_MAX_BODY` (default 4000000): the largest request body in bytes.
    - `MEDPLUM_BOTS_THREADS` (default 64): most worker threads for `def` handlers, stuck
      ones included (then 503 until one returns).
    - `MEDPLUM_BOTS_MAX_TIMEOUT` (default 900): the longest timeout a bot may ask for (s).
    - `MEDPLUM_BOTS_REPLAY_ENTRIES` (default 500000): signatures remembered per replay window.
    - `MEDPLUM_BOTS_ARTIFACT_CACHE` (default 256): loaded artifacts kept (LRU).
    - `MEDPLUM_BOTS_SHUTDOWN_GRACE` (default 10): seconds in-flight requests get on SIGTERM.
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
    trusted = TrustedKeys.parse(env.get(TRUSTED_KEYS_VAR, ""))
    if require_trusted_keys and not len(trusted):
        raise MedplumBotsError(
            f"{TRUSTED_KEYS_VAR} is not set; the runtime runs only artifacts signed by a "
            "deploy key it trusts (make a pair with `invoke deploy-key --environment NAME`)"
        )
    return RuntimeSettings(
        key=key,
        allowed_base_urls=allowed,
        trusted_keys=trusted,
        max_body=_positive_int(env, MAX_BODY_VAR, DEFAULT_MAX_BODY),
        threads=_positive_int(env, THREADS_VAR, DEFAULT_THREADS),
        max_timeout=_positive_int(env, MAX_TIMEOUT_VAR, DEFAULT_MAX_TIMEOUT),
        replay_entries=_positive_int(env, REPLAY_VAR, DEFAULT_REPLAY_ENTRIES),
        cache_entries=_positive_int(env, CACHE_VAR, DEFAULT_CACHE_ENTRIES),
        shutdown_grace=_positive_int(env, GRACE_VAR, DEFAULT_GRACE),
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


BotSource = BotRegistry | SignedArtifacts


class BotRuntime:
    """The ASGI application (one instance serves every bot).

    `source` says what runs: `SignedArtifacts` (the generic runtime: the artifact each request
    carries) or a fixed `BotRegistry` of handlers (tests, embedding).
    """

    def __init__(
        self,
        source: BotSource,
        *,
        key: bytes,
        allowed_base_urls: Sequence[str],
        max_body: int = DEFAULT_MAX_BODY,
        threads: int = DEFAULT_THREADS,
        max_timeout: float = DEFAULT_MAX_TIMEOUT,
        transport: Transport | None = None,
        replays: ReplayStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.key = check_key(key)
        self.allowed = frozenset(normalize_base_url(url) for url in allowed_base_urls)
        if not self.allowed:
            raise MedplumBotsError("the runtime needs at least one allowed Medplum base URL")
        self.max_body = max_body
        self.max_timeout = max_timeout
        self.clock = clock
        self.replays: ReplayStore = replays if replays is not None else ReplayCache()
        self.threads = BotThreads(threads)
        self._pool = PooledTransport() if transport is None else None
        self._transport: Transport = transport if transport is not None else self._pool  # type: ignore[assignment]

    @property
    def registry(self) -> BotSource:
        return self.source

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
            await self._health(send)
            return
        if path == CAPABILITIES_PATH:
            if method != "POST":
                await _answer(send, 405, _error_body("POST only", "not-supported"), allow="POST")
                return
            await self._capabilities(scope, receive, send)
            return
        if not path.startswith(BOT_PREFIX) or "/" in path[len(BOT_PREFIX) :]:
            await _answer(send, 404, _error_body(f"no route {path}", "not-found"))
            return
        if method != "POST":
            await _answer(send, 405, _error_body("POST only", "not-supported"), allow="POST")
            return
        await self._run_bot(path[len(BOT_PREFIX) :], scope, receive, send)

    async def _health(self, send: Send) -> None:
        busy, limit = self.threads.busy, self.threads.limit
        body = {"status": "ok", "bots": len(self.source), "running": busy, "threads": limit}
        if busy >= limit:
            # Every worker is taken (stuck bots): tell the orchestrator to replace this one.
            await _answer(send, 503, {**body, "status": "busy"})
            return
        await _answer(send, 200, body)

    async def _capabilities(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        try:
            body = await self._read_body(headers, receive)
        except _Rejected as rejected:
            await _answer(send, rejected.status, _error_body(rejected.text, rejected.code))
            return
        if body is None:
            return
        trusted = self.source.trusted if isinstance(self.source, SignedArtifacts) else None
        if trusted is None:
            await _answer(send, 404, _error_body("this runtime runs fixed bots", "not-found"))
            return
        try:
            kid = verify_request(trusted, CAPABILITIES_PATH, headers, body, self.clock())
        except DeployKeyError as error:
            log.warning("capabilities rejected: %s", error)
            await _answer(send, 403, _error_body(str(error), "forbidden"))
            return
        await _answer(send, 200, {**capabilities(), "trustedKeys": trusted.ids(), "keyId": kid})

    async def _run_bot(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            headers = _headers(scope)
            body = await self._read_body(headers, receive)
            if body is None:
                return  # the client went away
            handler, payload = self._authorize(name, headers, body)
        except _Rejected as rejected:
            log.warning("bot=%s rejected status=%d: %s", name, rejected.status, rejected.text)
            await _answer(send, rejected.status, _error_body(rejected.text, rejected.code))
            return
        try:
            result = await execute(
                handler,
                payload,
                transport=self._transport,
                timeout=self._timeout(payload),
                threads=self.threads,
            )
        except InvalidPayloadError as error:
            await _answer(send, 400, _error_body(str(error), "invalid"))
            return
        except RuntimeBusy as error:
            log.error("bot=%s refused: %s", name, error)
            await _answer(send, 503, _error_body(str(error), "transient"))
            return
        except Exception:
            log.exception("bot=%s runtime error", name)
            await _answer(send, 500, _error_body("internal error in the bot runtime", "exception"))
            return
        elapsed = (time.perf_counter() - started) * 1000
        log.info("bot=%s ok=%s ms=%.1f", name, result.ok, elapsed)
        await _answer(send, 200, result.to_json())

    def _timeout(self, payload: Mapping[str, Any]) -> float:
        asked = payload.get("timeout")
        if isinstance(asked, (int, float)) and not isinstance(asked, bool) and asked > 0:
            return float(min(asked, self.max_timeout))
        return min(DEFAULT_TIMEOUT, self.max_timeout)

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
    ) -> tuple[Handler, dict[str, Any]]:
        now = self.clock()
        try:
            signature, timestamp = verify(self.key, name, headers, body, now)
            check_replay(self.replays, signature, timestamp, now)
        except ReplayWindowFull as error:
            raise _Rejected(503, str(error), "transient") from None
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
            handler = self.source.resolve(name, payload)
        except UnknownBotError as error:
            raise _Rejected(404, str(error), "not-found") from None
        except ArtifactRefused as error:
            raise _Rejected(403, str(error), "forbidden") from None
        except ArtifactBroken as error:
            raise _Rejected(422, str(error), "exception") from None
        return handler, payload

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:
                    await self._pool.aclose_all()
                # Stuck `def` bots hold daemon threads: they end with the process.
                await send({"type": "lifespan.shutdown.complete"})
                return


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}


def create_app(
    source: BotSource,
    *,
    key: bytes,
    allowed_base_urls: Sequence[str],
    max_body: int = DEFAULT_MAX_BODY,
    threads: int = DEFAULT_THREADS,
    max_timeout: float = DEFAULT_MAX_TIMEOUT,
    transport: Transport | None = None,
    replays: ReplayStore | None = None,
    clock: Callable[[], float] = time.time,
) -> BotRuntime:
    """The ASGI app serving `source`'s bots; see the module docstring for the checks.

    `transport` replaces the network for the bots' clients (tests); `replays` is where
    accepted signatures are remembered (shared between replicas, see docs/runtime.md);
    `clock` replaces `time.time` when checking signature timestamps (tests).
    """
    return BotRuntime(
        source,
        key=key,
        allowed_base_urls=allowed_base_urls,
        max_body=max_body,
        threads=threads,
        max_timeout=max_timeout,
        transport=transport,
        replays=replays,
        clock=clock,
    )


def app_from_settings(
    settings: RuntimeSettings, *, replays: ReplayStore | None = None
) -> BotRuntime:
    """The generic runtime: runs whatever signed artifact each request carries."""
    return create_app(
        SignedArtifacts(settings.trusted_keys, settings.cache_entries),
        key=settings.key,
        allowed_base_urls=settings.allowed_base_urls,
        max_body=settings.max_body,
        threads=settings.threads,
        max_timeout=settings.max_timeout,
        replays=replays if replays is not None else ReplayCache(settings.replay_entries),
    )


def app_from_env() -> BotRuntime:
    """uvicorn factory (`--factory`): the generic runtime, settings from the environment."""
    return app_from_settings(settings_from_env(config_path=Path(CONFIG_FILE)))


def settings_for_project(
    config: ProjectConfig, environ: Mapping[str, str] | None = None
) -> RuntimeSettings:
    """`invoke serve`: settings from the environment over the project's `.env`."""
    from medplum_bots.deploy.credentials import read_env_file

    dotenv = {k: v for k, v in read_env_file(config.root / ".env").items() if v is not None}
    env = {**dotenv, **(os.environ if environ is None else environ)}
    return settings_from_env(env, config.path)


def app_for_project(config: ProjectConfig, environ: Mapping[str, str] | None = None) -> BotRuntime:
    """`invoke serve`: the same generic runtime as the container; no build, no bot code of its
    own (each deploy's forwarder brings its artifact), so it keeps running across deploys."""
    return app_from_settings(settings_for_project(config, environ))


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
