"""Unauthenticated clients cannot hold the runtime: header and body deadlines, headers checked
before any body is read, malformed headers answered 401, bot names escaped in the log, plain
http refused for remote Medplum base URLs. Real uvicorn on loopback, raw sockets as clients."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest

from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime.adapter import BotRegistry
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_bots.runtime.http_app import BotRuntime, settings_from_env
from medplum_bots.runtime.http_guard import HEADER_TIMEOUT_VAR, GuardedH11Protocol
from medplum_bots.runtime.signing import signature_headers
from tests.runtime.bots import ALL, BASE_URL, KEY
from tests.runtime.serving import serve_asgi

BODY_TIMEOUT = 0.5
HEADER_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    monkey = pytest.MonkeyPatch()
    monkey.setenv(HEADER_TIMEOUT_VAR, str(HEADER_TIMEOUT))
    app = BotRuntime(
        BotRegistry(ALL), key=KEY, allowed_base_urls=[BASE_URL], body_timeout=BODY_TIMEOUT
    )
    try:
        with serve_asgi(app, http=GuardedH11Protocol) as url:
            host, port = url.removeprefix("http://").split(":")
            yield host, int(port)
    finally:
        monkey.undo()


def exchange(address: tuple[str, int], data: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Send `data`, then read until the server closes or answers; (answer, seconds)."""
    started = time.monotonic()
    with socket.create_connection(address, timeout=wait) as client:
        client.sendall(data)
        received = b""
        try:
            while b"\r\n\r\n" not in received or not _complete(received):
                chunk = client.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            pass
    return received, time.monotonic() - started


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_slow_headers_are_cut_off(address: tuple[str, int]) -> None:
    answer, took = exchange(address, b"POST /bots/hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert answer == b""  # closed without a word
    assert HEADER_TIMEOUT <= took < HEADER_TIMEOUT + 2


def test_a_slow_body_is_cut_off(address: tuple[str, int]) -> None:
    body = json.dumps({"input": {}, "baseUrl": BASE_URL}).encode()
    headers = signature_headers(KEY, "hello", body)
    head = (
        "POST /bots/hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    )
    answer, took = exchange(address, head.encode() + body[:5])
    assert status(answer) == 408 and b"not received within 0.5 s" in answer
    assert took < BODY_TIMEOUT + 2


def test_an_unsigned_request_is_refused_before_its_body_is_read(address: tuple[str, int]) -> None:
    head = b"POST /bots/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000\r\n\r\n"
    answer, took = exchange(address, head)  # no body sent at all
    assert status(answer) == 401 and b"missing X-Medplum-Bots-Timestamp" in answer
    assert took < BODY_TIMEOUT  # not waiting for the 3 MB the client announced


@pytest.mark.parametrize(
    "header", [b"X-Medplum-Bots-Timestamp: \xff\xfe1", b"X-Medplum-Bots-Signature: v2=\xe9\xe9"]
)
def test_non_ascii_signature_headers_are_401_not_500(
    address: tuple[str, int], header: bytes
) -> None:
    body = b"{}"
    signed = signature_headers(KEY, "hello", body)
    name = header.split(b":", 1)[0].decode()
    others = "".join(f"{k}: {v}\r\n" for k, v in signed.items() if k != name)
    head = f"POST /bots/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n{others}".encode()
    answer, _ = exchange(address, head + header + b"\r\n\r\n" + body)
    assert status(answer) == 401 and b"not ASCII" in answer


def test_the_bot_name_from_the_url_cannot_forge_log_lines(
    address: tuple[str, int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="medplum_bots.runtime")
    forged = b"POST /bots/x%0Abot=hello%20ok=True HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    answer, _ = exchange(address, forged)
    assert status(answer) == 401
    messages = [record.getMessage() for record in caplog.records]
    assert messages and all("\n" not in message for message in messages)
    assert any("bot='x\\nbot=hello ok=True'" in message for message in messages)


def test_plain_http_to_a_remote_medplum_is_refused_unless_allowed() -> None:
    base = {
        "MEDPLUM_BOTS_RUNTIME_KEY": "k" * 40,
        "MEDPLUM_BOTS_TRUSTED_KEYS": trusted_entry("staging", generate().public),
    }
    with pytest.raises(MedplumBotsError, match="plain http to a host that is not loopback"):
        settings_from_env({**base, "MEDPLUM_BOTS_ALLOWED_BASE_URLS": "http://medplum.example/"})
    for loopback in ("http://127.0.0.1:8103/", "http://localhost:8103/", "http://[::1]:8103/"):
        settings_from_env({**base, "MEDPLUM_BOTS_ALLOWED_BASE_URLS": loopback})
    allowed = settings_from_env(
        {
            **base,
            "MEDPLUM_BOTS_ALLOWED_BASE_URLS": "http://medplum.example/",
            "MEDPLUM_BOTS_ALLOW_PLAIN_HTTP": "1",
        }
    )
    assert allowed.allowed_base_urls == ("http://medplum.example/",)
