"""Route 1: the generic Python bots runtime, an ASGI app behind authenticated HTTP.

`POST /bots/{name}` takes a Medplum execution payload signed by the JavaScript forwarder
(see `signing`), carrying the bot's artifact and its deploy signature (see `artifacts`), and
answers `BotResult.to_json()`. Before a handler runs, the request must pass, in order: both
signature headers, ASCII, with a timestamp at most 5 minutes old (checked before any of the
body is read; else 401), a body no larger than `max_body` read within `body_timeout` (else
413/408), a valid signature over the body and the bot's name, spelled exactly one way (else
401), a JSON payload of the right shape (else 400), a `baseUrl` on the allow-list (else 401;
the bot's token must only ever go back to the Medplum it came from), an artifact reference
signed by a deploy key trusted for its environment, naming this bot and the executing Bot
(else 403), admission by the store (`runtime.store`): never seen before (else 401), not
older than the newest deploy run for that Bot (else 403), the store reachable and not full
(else 503); and the artifact file itself: held here, or carried by this request (else 409
with `"artifact": "needed"`, and the forwarder sends the execution again with it). The runtime
holds no bot code of its own: it runs what the Bot's executable code references, in a sealed
worker process (`runtime/supervisor.py`): this process keeps the keys, the worker gets the
verified artifact and the payload.

A bot that raises, exits, crashes or runs past its timeout answers 200 with `ok: false`, its
logs and an OperationOutcome naming what happened; the runtime keeps serving.
`POST /capabilities` (signed with a deploy key) tells `invoke deploy` what this runtime offers;
`GET /healthz` says whether it can take work. The access token is never logged, and the bot
name from the URL is logged escaped (`ascii()`).

Served by uvicorn: `invoke serve` locally (`serve`), or the container the generated
Dockerfile builds: `uvicorn --factory medplum_bots.runtime.http_app:app_from_env --http
medplum_bots.runtime.http_guard:GuardedH11Protocol` (slow request headers cut off). Settings
come from environment variables (see `settings_from_env`).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from medplum_bots.config import CONFIG_FILE, ProjectConfig, load_config
from medplum_bots.errors import ConfigError, MedplumBotsError, UnknownBotError, outcome
from medplum_bots.runtime.adapter import (
    BotRegistry,
    BotResult,
    Handler,
    InvalidPayloadError,
    PooledTransport,
    Transport,
    event_from_payload,
    execute,
)
from medplum_bots.runtime.artifacts import (
    ARTIFACT_FIELD,
    DEFAULT_CACHE_ENTRIES,
    NEEDED,
    ArtifactBroken,
    ArtifactMissing,
    ArtifactReference,
    ArtifactRefused,
    SignedArtifacts,
    VerifiedArtifact,
)
from medplum_bots.runtime.capabilities import answer_checks, capabilities
from medplum_bots.runtime.deploy_keys import (
    TRUSTED_KEYS_VAR,
    DeployKeyError,
    TrustedKeys,
    verify_request,
)
from medplum_bots.runtime.signing import (
    MAX_AGE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    check_key,
    replay_expiry,
    replay_key,
    verify,
)
from medplum_bots.runtime.store import (
    DEFAULT_REPLAY_ENTRIES,
    REDIS_URL_VAR,
    Mark,
    MemoryStore,
    Replayed,
    RolledBack,
    RuntimeStore,
    StoreUnavailable,
    store_from_env,
)
from medplum_bots.runtime.supervisor import (
    DEFAULT_EXECUTIONS,
    DEFAULT_IDLE_SECONDS,
    DEFAULT_MEMORY_MB,
    DEFAULT_PER_BOT,
    DEFAULT_WORKERS,
    ArtifactLoadFailed,
    WorkerKey,
    WorkerLimits,
    WorkerPool,
)
from medplum_bots.runtime.supervisor import RuntimeBusy as PoolBusy
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
BODY_TIMEOUT_VAR = "MEDPLUM_BOTS_BODY_TIMEOUT"
PLAIN_HTTP_VAR = "MEDPLUM_BOTS_ALLOW_PLAIN_HTTP"
WORKERS_VAR = "MEDPLUM_BOTS_WORKERS"
PER_BOT_VAR = "MEDPLUM_BOTS_WORKERS_PER_BOT"
MEMORY_VAR = "MEDPLUM_BOTS_WORKER_MEMORY_MB"
IDLE_VAR = "MEDPLUM_BOTS_WORKER_IDLE"
EXECUTIONS_VAR = "MEDPLUM_BOTS_WORKER_EXECUTIONS"
# The request carries the artifact (base64); Medplum's own JSON limit (`maxJsonSize`, 1 MB by
# default) bounds the forwarder, so 4 MB leaves room for the payload next to it.
DEFAULT_MAX_BODY = 4_000_000
DEFAULT_THREADS = 64
DEFAULT_TIMEOUT = 10.0  # Medplum's default Bot timeout, when the forwarder names none
DEFAULT_MAX_TIMEOUT = 900  # Lambda's ceiling, which Medplum applies to Bot.timeout
DEFAULT_GRACE = 10
DEFAULT_BODY_TIMEOUT = 30.0  # 4 MB at ~1 Mbit/s; a stalled client is cut off after it
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
    body_timeout: int = int(DEFAULT_BODY_TIMEOUT)
    workers: int = DEFAULT_WORKERS
    workers_per_bot: int = DEFAULT_PER_BOT
    worker_memory_mb: int = DEFAULT_MEMORY_MB
    worker_idle: int = DEFAULT_IDLE_SECONDS
    worker_executions: int = DEFAULT_EXECUTIONS
    redis_url: str = ""


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
      Plain http only for loopback hosts (the bots' tokens travel to it), unless
      `MEDPLUM_BOTS_ALLOW_PLAIN_HTTP=1`.
    - `MEDPLUM_BOTS_TRUSTED_KEYS` (required): comma-separated deploy public keys
      (`ed25519:...`, printed by `invoke deploy-key`); only artifacts they signed run.
    - `MEDPLUM_BOTS_MAX_BODY` (default 4000000): the largest request body in bytes.
    - `MEDPLUM_BOTS_THREADS` (default 64): in-process mode only (a fixed registry, the
      one-bot Lambda): most threads for `def` handlers, stuck ones included.
    - `MEDPLUM_BOTS_WORKERS` (64): sealed worker processes alive at most;
      `MEDPLUM_BOTS_WORKERS_PER_BOT` (16) of them for one bot version;
      `MEDPLUM_BOTS_WORKER_MEMORY_MB` (512): each worker's address-space limit (RLIMIT_AS);
      `MEDPLUM_BOTS_WORKER_IDLE` (300 s) and `MEDPLUM_BOTS_WORKER_EXECUTIONS` (10000): a
      worker retires after that long unused or that many executions.
    - `MEDPLUM_BOTS_BODY_TIMEOUT` (default 30): seconds a client has to send the body.
    - `MEDPLUM_BOTS_MAX_TIMEOUT` (default 900): the longest timeout a bot may ask for (s).
    - `MEDPLUM_BOTS_REPLAY_ENTRIES` (default 500000): signatures remembered per replay window.
    - `MEDPLUM_BOTS_ARTIFACT_CACHE` (default 256): loaded artifacts kept (LRU).
    - `MEDPLUM_BOTS_SHUTDOWN_GRACE` (default 10): seconds in-flight requests get on SIGTERM.
    - `MEDPLUM_BOTS_REDIS_URL` (default: none, in-process): the Redis shared by replicas for
      replays and the newest deploy of each Bot (`runtime.store`).
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
    if env.get(PLAIN_HTTP_VAR, "").strip().lower() not in ("1", "true", "yes"):
        for url in allowed:
            if url.startswith("http://") and not _is_loopback(urlsplit(url).hostname or ""):
                raise MedplumBotsError(
                    f"{ALLOWED_VAR}: {url} is plain http to a host that is not loopback (bots' "
                    f"access tokens would travel in clear); use https, or set {PLAIN_HTTP_VAR}=1"
                )
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
        body_timeout=_positive_int(env, BODY_TIMEOUT_VAR, int(DEFAULT_BODY_TIMEOUT)),
        workers=_positive_int(env, WORKERS_VAR, DEFAULT_WORKERS),
        workers_per_bot=_positive_int(env, PER_BOT_VAR, DEFAULT_PER_BOT),
        worker_memory_mb=_positive_int(env, MEMORY_VAR, DEFAULT_MEMORY_MB),
        worker_idle=_positive_int(env, IDLE_VAR, DEFAULT_IDLE_SECONDS),
        worker_executions=_positive_int(env, EXECUTIONS_VAR, DEFAULT_EXECUTIONS),
        redis_url=env.get(REDIS_URL_VAR, "").strip(),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
SIGNATURE_HEADERS = (TIMESTAMP_HEADER.lower(), SIGNATURE_HEADER.lower())


class BotRuntime:
    """The ASGI application (one instance serves every bot).

    `source` says what runs: `SignedArtifacts` (the generic runtime: the artifact each request
    carries), run in sealed worker processes (`runtime/supervisor.py`, bounded by `workers`);
    or a fixed `BotRegistry` of handlers (tests, embedding, a one-bot Lambda), run in this
    process on `threads` worker threads. `isolation="in-process"` runs signed artifacts in
    this process too (the benchmark's baseline; it isolates nothing).
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
        store: RuntimeStore | None = None,
        clock: Callable[[], float] = time.time,
        workers: WorkerLimits | None = None,
        isolation: str = "process",
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self.source = source
        self.key = check_key(key)
        self.allowed = frozenset(normalize_base_url(url) for url in allowed_base_urls)
        if not self.allowed:
            raise MedplumBotsError("the runtime needs at least one allowed Medplum base URL")
        if isolation not in ("process", "in-process"):
            raise MedplumBotsError(
                f"isolation must be 'process' or 'in-process', not {isolation!r}"
            )
        self.max_body = max_body
        self.max_timeout = max_timeout
        self.body_timeout = body_timeout
        self.clock = clock
        self.store: RuntimeStore = store if store is not None else MemoryStore()
        self.threads = BotThreads(threads)
        sealed = isinstance(source, SignedArtifacts) and isolation == "process"
        self.pool = WorkerPool(workers) if sealed else None
        self._pool = PooledTransport() if transport is None else None
        self._transport: Transport = transport if transport is not None else self._pool  # type: ignore[assignment]

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
            await _answer(send, 404, _error_body(f"no route {path!a}", "not-found"))
            return
        if method != "POST":
            await _answer(send, 405, _error_body("POST only", "not-supported"), allow="POST")
            return
        await self._run_bot(path[len(BOT_PREFIX) :], scope, receive, send)

    async def _health(self, send: Send) -> None:
        if self.pool is not None:
            busy, limit = self.pool.busy, self.pool.limits.workers
        else:
            busy, limit = self.threads.busy, self.threads.limit
        body = {"status": "ok", "bots": len(self.source), "running": busy, "capacity": limit}
        if busy >= limit:
            # Every worker is taken (stuck bots): tell the orchestrator to replace this one.
            await _answer(send, 503, {**body, "status": "busy"})
            return
        await _answer(send, 200, body)

    async def _capabilities(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            headers = _headers(scope)
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
        answer = {**capabilities(), "trustedKeys": trusted.ids(), "keyId": kid}
        # The environment this key may deploy to: the deployer checks it is its own.
        answer["keyEnvironment"] = trusted.environments()[kid]
        # The deployer's key and base URL questions (yes/no answers: capabilities.py).
        answer.update(answer_checks(body, self.key, self.allowed))
        await _answer(send, 200, answer)

    async def _run_bot(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        shown = ascii(name)  # the URL's text never reaches the log raw (no forged lines)
        try:
            headers = _headers(scope)
            # Headers first: an unsigned request is refused before its body is read.
            _signature_present(headers, self.clock())
            body = await self._read_body(headers, receive)
            if body is None:
                return  # the client went away
            payload, reference = await self._authorize(name, headers, body)
        except _Rejected as rejected:
            if rejected.status != 409:  # 409: the forwarder sends the artifact next
                log.warning("bot=%s rejected status=%d: %s", shown, rejected.status, rejected.text)
            extra = {"artifact": NEEDED} if rejected.status == 409 else {}
            answer = {**_error_body(rejected.text, rejected.code), **extra}
            await _answer(send, rejected.status, answer)
            return
        try:
            result = await self._execute(name, payload, reference)
        except _Rejected as rejected:
            log.warning("bot=%s rejected status=%d: %s", shown, rejected.status, rejected.text)
            await _answer(send, rejected.status, _error_body(rejected.text, rejected.code))
            return
        except InvalidPayloadError as error:
            await _answer(send, 400, _error_body(str(error), "invalid"))
            return
        except (RuntimeBusy, PoolBusy) as error:
            log.error("bot=%s refused: %s", shown, error)
            await _answer(send, 503, _error_body(str(error), "transient"))
            return
        except Exception:
            log.exception("bot=%s runtime error", shown)
            await _answer(send, 500, _error_body("internal error in the bot runtime", "exception"))
            return
        elapsed = (time.perf_counter() - started) * 1000
        log.info("bot=%s ok=%s ms=%.1f", shown, result.ok, elapsed)
        await _answer(send, 200, result.to_json())

    async def _execute(
        self, name: str, payload: dict[str, Any], reference: ArtifactReference | None
    ) -> BotResult:
        """Run the authorised execution: in a sealed worker, or in this process."""
        timeout = self._timeout(payload)
        if self.pool is not None:
            assert isinstance(self.source, SignedArtifacts) and reference is not None
            artifact = _held_artifact(self.source, reference)
            # The worker needs the payload, never the artifact's transport form again.
            work = {k: v for k, v in payload.items() if k != ARTIFACT_FIELD}
            environment = reference.statement.environment
            scope = WorkerKey(name, artifact.sha256, environment)
            try:
                return await self.pool.run(scope, artifact.text, work, timeout)
            except ArtifactLoadFailed as error:
                raise _Rejected(422, str(error), "exception") from None
        handler = _resolved(self.source, name, payload, reference)
        return await execute(
            handler, payload, transport=self._transport, timeout=timeout, threads=self.threads
        )

    def _timeout(self, payload: Mapping[str, Any]) -> float:
        asked = payload.get("timeout")
        if isinstance(asked, (int, float)) and not isinstance(asked, bool) and asked > 0:
            return float(min(asked, self.max_timeout))
        return min(DEFAULT_TIMEOUT, self.max_timeout)

    async def _read_body(self, headers: Mapping[str, str], receive: Receive) -> bytes | None:
        """The body, within `max_body` bytes and `body_timeout` seconds (slow clients are cut
        off: 408)."""
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            raise _Rejected(413, f"request body over {self.max_body} bytes", "too-costly")
        deadline = time.monotonic() + self.body_timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise _Rejected(
                    408, f"request body not received within {self.body_timeout:g} s", "timeout"
                ) from None
            if message["type"] == "http.disconnect":
                return None
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _Rejected(413, f"request body over {self.max_body} bytes", "too-costly")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _authorize(
        self, name: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any], ArtifactReference | None]:
        """The payload of a request that passed every check before its bot may run, with its
        verified artifact reference (signed artifacts) whose file this runtime now holds."""
        now = self.clock()
        try:
            signature, timestamp = verify(self.key, name, headers, body, now)
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
        source = self.source
        if isinstance(source, BotRegistry) and name not in source:
            raise _Rejected(404, f"no bot named {name!r} in this runtime", "not-found")
        reference: ArtifactReference | None = None
        mark: Mark | None = None
        try:
            if isinstance(source, SignedArtifacts):
                reference = source.verify(name, payload)
                mark = reference.mark
            await self.store.admit(replay_key(signature), replay_expiry(timestamp), now, mark)
            if isinstance(source, SignedArtifacts):
                assert reference is not None
                source.artifact(reference)  # held from now on, or 409: send it
        except Replayed as error:
            raise _Rejected(401, str(error)) from None
        except StoreUnavailable as error:
            raise _Rejected(503, str(error), "transient") from None
        except (ArtifactRefused, RolledBack) as error:
            raise _Rejected(403, str(error), "forbidden") from None
        except ArtifactMissing as error:
            raise _Rejected(409, str(error), "conflict") from None
        return dict(payload), reference

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.pool is not None:
                        await self.pool.start()
                except Exception as error:  # the zygote could not start: say so, do not serve
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        """Stop the workers (and whatever they started) and close the connection pools."""
        if self.pool is not None:
            await self.pool.close()
        if self._pool is not None:
            await self._pool.aclose_all()
        await self.store.aclose()
        # Stuck `def` bots of the in-process mode hold daemon threads: they end with the process.


def _held_artifact(source: SignedArtifacts, reference: ArtifactReference) -> VerifiedArtifact:
    try:
        return source.artifact(reference)
    except ArtifactMissing as error:  # evicted between admission and now: ask again
        raise _Rejected(409, str(error), "conflict") from None


def _resolved(
    source: BotSource,
    name: str,
    payload: Mapping[str, Any],
    reference: ArtifactReference | None,
) -> Handler:
    try:
        if isinstance(source, SignedArtifacts):
            assert reference is not None
            return source.handler(reference)
        return source.resolve(name, payload)
    except UnknownBotError as error:
        raise _Rejected(404, str(error), "not-found") from None
    except ArtifactMissing as error:
        raise _Rejected(409, str(error), "conflict") from None
    except ArtifactBroken as error:
        raise _Rejected(422, str(error), "exception") from None


def _headers(scope: Scope) -> dict[str, str]:
    """The request headers; our own must be plain ASCII (else 401, never a 500)."""
    headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
    for name in SIGNATURE_HEADERS:
        if not headers.get(name, "").isascii():
            raise _Rejected(401, f"malformed {name} header (not ASCII)")
    return headers


def _signature_present(headers: Mapping[str, str], now: float) -> None:
    """What can be checked before reading the body: both headers there, timestamp in range."""
    timestamp = headers.get(TIMESTAMP_HEADER.lower(), "").strip()
    if not timestamp:
        raise _Rejected(401, f"missing {TIMESTAMP_HEADER} header")
    if not headers.get(SIGNATURE_HEADER.lower(), "").strip():
        raise _Rejected(401, f"missing {SIGNATURE_HEADER} header")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise _Rejected(401, f"{TIMESTAMP_HEADER} must be whole seconds since 1970")
    if abs(now - int(timestamp)) > MAX_AGE:
        raise _Rejected(
            401, f"{TIMESTAMP_HEADER} is more than {MAX_AGE} seconds away from the runtime's clock"
        )


def worker_limits(settings: RuntimeSettings) -> WorkerLimits:
    return WorkerLimits(
        workers=settings.workers,
        per_bot=settings.workers_per_bot,
        memory_mb=settings.worker_memory_mb,
        idle_seconds=settings.worker_idle,
        executions=settings.worker_executions,
    )


def app_from_settings(
    settings: RuntimeSettings, *, store: RuntimeStore | None = None, isolation: str = "process"
) -> BotRuntime:
    """The generic runtime: runs whatever signed artifact each request carries."""
    return BotRuntime(
        SignedArtifacts(settings.trusted_keys, settings.cache_entries),
        key=settings.key,
        allowed_base_urls=settings.allowed_base_urls,
        max_body=settings.max_body,
        threads=settings.threads,
        max_timeout=settings.max_timeout,
        store=store or store_from_env(settings.redis_url, settings.replay_entries),
        workers=worker_limits(settings),
        isolation=isolation,
        body_timeout=settings.body_timeout,
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
    # Close-on-exec: nothing the runtime starts (its zygote, bots' subprocesses) holds the port.
    sock.set_inheritable(False)
    return sock


def serving_line(settings: RuntimeSettings, host: str, port: int) -> str:
    """What `invoke serve` prints once it listens: where, and whose deploys it runs."""
    by_environment: dict[str, list[str]] = {}
    for kid, environment in settings.trusted_keys.environments().items():
        by_environment.setdefault(environment, []).append(kid)
    trusted = "; ".join(f"{env} (key {', '.join(ids)})" for env, ids in by_environment.items())
    return (
        f"serving bots deployed for {trusted} on http://{host}:{port}/bots/<name>, "
        f"Medplum at {', '.join(settings.allowed_base_urls)}; shutdown grace "
        f"{settings.shutdown_grace} s"
    )


def serve(config: ProjectConfig, host: str, port: int) -> None:
    """`invoke serve`: the generic runtime for this project until Ctrl-C or SIGTERM.

    Settings from the environment over the project's `.env`; SIGTERM gives in-flight
    executions `MEDPLUM_BOTS_SHUTDOWN_GRACE` seconds, then the workers are killed.
    """
    import uvicorn

    from medplum_bots.runtime.http_guard import GuardedH11Protocol

    settings = settings_for_project(config)
    app = app_from_settings(settings)
    sock = listen(host, port)
    print(serving_line(settings, host, port), flush=True)
    server_config = uvicorn.Config(
        app,
        log_level="info",
        http=GuardedH11Protocol,
        timeout_graceful_shutdown=settings.shutdown_grace,
    )
    uvicorn.Server(server_config).run(sockets=[sock])


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
