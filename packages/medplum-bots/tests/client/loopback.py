"""A scripted HTTP server on 127.0.0.1 for the client's tests (real sockets, no mocks).

`Loopback(responder)` serves every request with `responder(Seen) -> Reply`; a `Reply` with
`drop=True` closes the connection without answering, as a crashed proxy would.
`MiniMedplum` is a responder that plays Medplum's token endpoint and answers FHIR calls
with scripted replies first, then a default resource.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Seen:
    """A request as the server received it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """An answer: JSON for dict/list bodies (FHIR JSON unless `content_type`), text, or bytes."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    drop: bool = False


Responder = Callable[[Seen], Reply]


def _encode(reply: Reply) -> tuple[bytes, str]:
    if isinstance(reply.body, dict | list):
        return json.dumps(reply.body).encode(), reply.content_type or "application/fhir+json"
    if isinstance(reply.body, bytes):
        return reply.body, reply.content_type or "application/octet-stream"
    if isinstance(reply.body, str):
        return reply.body.encode(), reply.content_type or "text/plain"
    return b"", reply.content_type or "text/plain"


class Loopback:
    """A threaded HTTP/1.1 server on an ephemeral 127.0.0.1 port."""

    def __init__(self, responder: Responder) -> None:
        self.seen: list[Seen] = []
        self._responder = responder
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                owner.seen.append(seen)
                reply = owner._responder(seen)
                if reply.drop:
                    self.close_connection = True
                    return
                content, content_type = _encode(reply)
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> Loopback:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fhir_requests(self) -> list[Seen]:
        """The requests other than logins."""
        return [s for s in self.seen if not s.path.startswith("/oauth2/")]


@contextmanager
def serving(responder: Responder) -> Iterator[Loopback]:
    """Run a `Loopback` for the duration of a `with` block."""
    server = Loopback(responder).start()
    try:
        yield server
    finally:
        server.stop()


class MiniMedplum:
    """Medplum's token endpoint plus scripted FHIR answers.

    Tokens are `token-1`, `token-2`... in login order; FHIR calls with a token this server did
    not issue (or revoked) get 401. `replies` are served first, in order, to FHIR calls.
    """

    CLIENT_ID = "cid"
    CLIENT_SECRET = "csecret-never-print-me"

    def __init__(self, *, expires_in: float | None = 3600, login_delay: float = 0.0) -> None:
        self.expires_in = expires_in
        self.login_delay = login_delay
        self.logins = 0
        self.valid: set[str] = set()
        self.replies: deque[Reply] = deque()
        self._lock = threading.Lock()

    def revoke(self) -> None:
        """Make every issued token invalid."""
        with self._lock:
            self.valid.clear()

    def __call__(self, seen: Seen) -> Reply:
        if seen.path.startswith("/oauth2/token"):
            return self._token(seen)
        if seen.headers.get("authorization", "").removeprefix("Bearer ") not in self.valid:
            return Reply(
                401,
                {"resourceType": "OperationOutcome", "issue": [_issue("login", "Unauthorized")]},
            )
        with self._lock:
            scripted = self.replies.popleft() if self.replies else None
        return scripted or Reply(200, {"resourceType": "Patient", "id": "1"})

    def _token(self, seen: Seen) -> Reply:
        form = dict(parse_qsl(seen.body.decode()))
        if (form.get("client_id"), form.get("client_secret")) != (
            self.CLIENT_ID,
            self.CLIENT_SECRET,
        ):
            return Reply(
                400,
                {"error": "invalid_request", "error_description": "Invalid client or secret"},
                content_type="application/json",
            )
        time.sleep(self.login_delay)  # widens the window in which concurrent callers overlap
        with self._lock:
            self.logins += 1
            token = f"token-{self.logins}"
            self.valid.add(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return Reply(200, body, content_type="application/json")


def _issue(code: str, text: str) -> dict[str, Any]:
    return {"severity": "error", "code": code, "details": {"text": text}}


def outcome_reply(status: int, text: str, *, code: str = "processing", **headers: str) -> Reply:
    """A FHIR error answer carrying an OperationOutcome."""
    body = {"resourceType": "OperationOutcome", "issue": [_issue(code, text)]}
    return Reply(status, body, headers={k.replace("_", "-"): v for k, v in headers.items()})
