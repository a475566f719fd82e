"""The Lambda entry point: one bundled bot (route 2), or route 1's runtime for every bot.

The same function answers two kinds of events, told apart by their shape:

- Medplum's own invocation (a Bot whose identifier
  `https://medplum.com/bot-external-function-id` names this function): the event is the
  execution payload (`bot`, `baseUrl`, `accessToken`, `input`, `contentType`, ...). Medplum
  reads the function's JSON answer as the bot's return value, a function error as a failed
  run, and the tail of the function's log (`LogType: Tail`) as the run's log. So the bot's
  output is printed to stdout, its result returned, and a failure raised after printing
  `Unhandled error: ...` (what Medplum's own Lambda wrapper does).
- A function URL request (`requestContext.http`, `rawPath`, `headers`, `body`): route 1's
  HTTP runtime semantics, by calling the very same ASGI app in this process: `POST
  /bots/{name}` with the forwarder's signed payload, `GET /healthz`. The answer is
  `{statusCode, headers, body}`. Settings come from the same variables as the HTTP runtime's
  (`http_runtime.settings_from_env`: `MEDPLUM_BOTS_RUNTIME_KEY`,
  `MEDPLUM_BOTS_ALLOWED_BASE_URLS`, ...); without them the function answers 503.

Which bots a function URL serves depends on the zip: a bot's zip (`lambda_zip.build_zip`)
serves its one bot; the runtime's zip (`lambda_zip.build_runtime_zip`, with
`dist/manifest.json` in the task root) is the generic runtime, as the container is: it runs
the signed artifact each request carries (`MEDPLUM_BOTS_TRUSTED_KEYS` required) in sealed
worker processes, started on the first request. A bot's zip runs its one bot in this
process (one function, one bot: docs/runtime.md says what that lacks).
The runtime's zip holds no single bot, so Medplum cannot invoke it directly: that fails with
an error saying so.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from medplum_bots.build.manifest import MANIFEST
from medplum_bots.errors import MedplumBotsError

ARTIFACT_ENV = "MEDPLUM_BOT_ARTIFACT"
BOT_NAME_ENV = "MEDPLUM_BOT_NAME"
DEFAULT_ARTIFACT = "bot.py"
# The zip's root (Lambda's task root): the directory above this package.
TASK_ROOT = Path(__file__).resolve().parents[2]
# The runtime's zip keeps the build it serves as the project does (manifest + artifacts).
RUNTIME_MANIFEST = TASK_ROOT / MANIFEST
RUNTIME_DIST = RUNTIME_MANIFEST.parent

Handler = Callable[..., Any]


class BotFailed(Exception):
    """The bot raised or returned something JSON cannot hold; the message is its outcome.

    Lambda reports this class name as the error type Medplum sees.
    """


def handler(event: Any, context: Any = None) -> Any:
    """Lambda entry point (`medplum_bots.runtime.lambda_handler.handler`)."""
    if is_function_url_event(event):
        return serve_function_url(event)
    return run_direct(event)


def is_function_url_event(event: Any) -> bool:
    """True for a function URL (or API Gateway HTTP API v2) request event."""
    if not isinstance(event, Mapping):
        return False
    context = event.get("requestContext")
    return (
        isinstance(context, Mapping)
        and isinstance(context.get("http"), Mapping)
        and isinstance(event.get("rawPath"), str)
    )


def runtime_dist() -> Path | None:
    """The build this function serves as route 1's runtime, or None for a one-bot zip."""
    return RUNTIME_DIST if RUNTIME_MANIFEST.is_file() else None


@cache
def loaded_bot() -> tuple[str, Handler]:
    """The bot's name and handler, loaded once per Lambda container."""
    from medplum_bots.build.loader import load_artifact

    path = TASK_ROOT / os.environ.get(ARTIFACT_ENV, DEFAULT_ARTIFACT)
    if not path.is_file() and runtime_dist() is not None:
        raise MedplumBotsError(
            "this function is the bots' HTTP runtime (route 1): it serves every bot at its "
            "function URL (/bots/<name>) and cannot be a Bot's external function; put its URL "
            "in runtime.url of an environment with runtime.type 'http'"
        )
    if not path.is_file():
        raise MedplumBotsError(f"{path}: bot artifact not found (check {ARTIFACT_ENV})")
    module = load_artifact(path)
    bot_handler = getattr(module, "handler", None)
    if not callable(bot_handler):
        raise MedplumBotsError(f"{path.name}: the bot defines no `handler` function")
    return os.environ.get(BOT_NAME_ENV) or path.stem, bot_handler


def reset() -> None:
    """Forget the loaded bot and the runtime app (tests; a container never needs this)."""
    loaded_bot.cache_clear()
    _runtime_app.cache_clear()


def run_direct(payload: Any) -> Any:
    """Run the bot for Medplum's execution payload; returns its JSON result or raises BotFailed.

    The bot's output goes to stdout so that it reaches Medplum through the log tail.
    """
    from medplum_bots.errors import outcome_text
    from medplum_bots.runtime.adapter import execute_sync

    try:
        _, bot_handler = loaded_bot()
        result = execute_sync(bot_handler, payload)
    except MedplumBotsError as error:
        # No bot in this zip, or a malformed payload: nothing ran.
        print(f"Unhandled error: {error}")
        raise BotFailed(str(error)) from None
    for line in result.logs:
        print(line)
    sys.stdout.flush()
    if not result.ok:
        raise BotFailed(outcome_text(result.outcome))
    return result.result


def serve_function_url(event: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a function URL request with route 1's HTTP runtime, run in-process."""
    try:
        app = _runtime_app()
    except MedplumBotsError as error:
        # Misconfigured function: say so in the log, never run unauthenticated.
        print(f"error: {error}")
        return _response(
            503, b'{"error":"runtime is not configured"}', {"content-type": "application/json"}
        )
    status, headers, body = _loop().run_until_complete(_call_app(app, event))
    return _response(status, body, headers)


@cache
def _runtime_app() -> Any:
    from medplum_bots.runtime.adapter import BotRegistry
    from medplum_bots.runtime.http_app import BotRuntime, app_from_settings, settings_from_env

    # The same settings, from the same variables, as the HTTP runtime (no config file here).
    if runtime_dist() is not None:
        # The runtime's zip: the generic runtime, running the signed artifact each request
        # carries (the zip's own dist/ only records which requirements were installed).
        return app_from_settings(settings_from_env())
    settings = settings_from_env(require_trusted_keys=False)
    name, bot_handler = loaded_bot()
    return BotRuntime(
        BotRegistry({name: bot_handler}),
        key=settings.key,
        allowed_base_urls=settings.allowed_base_urls,
        max_body=settings.max_body,
        threads=settings.threads,
        max_timeout=settings.max_timeout,
    )


@cache
def _loop() -> asyncio.AbstractEventLoop:
    # One loop per container: the app (and its replay cache) outlives a single request.
    return asyncio.new_event_loop()


async def _call_app(app: Any, event: Mapping[str, Any]) -> tuple[int, dict[str, str], bytes]:
    import httpx

    http = event["requestContext"]["http"]
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode()
    headers = {str(k): str(v) for k, v in (event.get("headers") or {}).items()}
    # httpx recomputes these for the body it sends.
    for name in ("content-length", "transfer-encoding", "host"):
        headers.pop(name, None)
    query = event.get("rawQueryString") or ""
    url = str(event.get("rawPath") or "/") + (f"?{query}" if query else "")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lambda.local") as client:
        response = await client.request(
            str(http.get("method", "GET")), url, headers=headers, content=raw
        )
        return response.status_code, dict(response.headers), response.content


def _response(status: int, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    # Lambda sets the length of the body it sends itself.
    kept = {name: value for name, value in headers.items() if name.lower() != "content-length"}
    return {
        "statusCode": status,
        "headers": kept,
        "body": text,
        "isBase64Encoded": encoded,
    }
