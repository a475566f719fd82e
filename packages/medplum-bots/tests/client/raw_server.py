"""A scripted HTTP/1.1 server on raw sockets (127.0.0.1) for the HTTP transport's tests.

Every accepted connection is served by a thread that reads request heads (and
Content-Length bodies) and asks the test's `handler(RawRequest) -> Act` what to do: send some
bytes (any bytes: a truncated answer, chunked framing, stray data), then keep the connection
for the next request, close it, or hang (never answer, until the client goes away).

The server counts what a client's connection handling is judged by: connections accepted,
open at once, requests in flight at once, and connections the client closed (EOF seen).

    with RawServer(lambda request: Act(http_response(200, b"hi"))) as server:
        ... requests to server.url("/path") ...
        assert server.accepted == 1
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Literal

# How long a server thread waits for anything (a request, a cue) before giving up: a safety
# net so a broken test cannot hang the run, far above anything a passing test waits.
SAFETY_TIMEOUT = 10.0


@dataclass(frozen=True)
class RawRequest:
    """A request as the server read it (header names lower-cased)."""

    connection: int  # 1-based number of the accepted connection it arrived on
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Act:
    """What the server does with one request.

    Holds the request `hold` seconds (it counts as in flight), sends `data`, then, when `cue`
    is given, waits for it (the client is idle by then) and sends `farewell`; finally `then`:
    "keep" reads the next request, "close" closes the connection, "hang" answers nothing more
    and waits for the client to close (the request stays in flight until then).
    """

    data: bytes = b""
    then: Literal["keep", "close", "hang"] = "keep"
    hold: float = 0.0
    cue: threading.Event | None = None
    farewell: bytes = b""


Handler = Callable[[RawRequest], Act]
Headers = Iterable[tuple[str, str]]


def http_response(
    status: int = 200,
    body: bytes = b"",
    headers: Headers = (),
    *,
    content_length: bool = True,
) -> bytes:
    """An HTTP/1.1 answer's bytes; Content-Length is added unless `content_length=False`."""
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _PeerClosed(Exception):
    """The client closed the connection (EOF) while the server waited for a request."""


class RawServer:
    """A threaded socket server on an ephemeral 127.0.0.1 port; use as a context manager.

    With `tls`, every accepted connection does a TLS handshake first (failed handshakes are
    counted in `handshake_failures`). Exceptions raised by `handler` are re-raised when the
    `with` block ends, so a handler's assertion fails the test.
    """

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.requests: list[RawRequest] = []
        self.accepted = 0
        self.open = 0
        self.max_open = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.peer_closed = 0  # connections on which the server read EOF from the client
        self.server_closed = 0  # connections the server closed by an Act's "close"
        self.handshake_failures = 0
        self.errors: list[BaseException] = []
        self._tls = tls
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.02)  # the accept loop notices a stop this often
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    # -- lifecycle --------------------------------------------------------------------------

    def url(self, path: str = "/") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> RawServer:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut every open connection and wait for the server's threads."""
        self._stopping.set()
        self._acceptor.join(SAFETY_TIMEOUT)
        self._listener.close()
        with self._changed:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(SAFETY_TIMEOUT)

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        if self.errors and kind is None:
            raise AssertionError(f"the scripted server's handler failed: {self.errors!r}")

    def wait_until(self, predicate: Callable[[RawServer], bool], timeout: float = 5.0) -> None:
        """Block until `predicate(self)` holds (checked on every change of the counters)."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self), timeout):
                raise AssertionError(f"the server did not reach the expected state in {timeout}s")

    # -- serving ----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(SAFETY_TIMEOUT)
            with self._changed:
                self.accepted += 1
                number = self.accepted
                self.open += 1
                self.max_open = max(self.max_open, self.open)
                self._sockets.add(sock)
                self._changed.notify_all()
            thread = threading.Thread(target=self._serve, args=(sock, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket, number: int) -> None:
        sock = raw
        try:
            if self._tls is not None:
                try:
                    sock = self._tls.wrap_socket(raw, server_side=True)
                except (OSError, ssl.SSLError):
                    self._count("handshake_failures")
                    return
                with self._changed:
                    self._sockets.add(sock)
            self._converse(sock, number)
        except (_PeerClosed, ConnectionResetError):
            if not self._stopping.is_set():  # stop() cuts connections: not the client's doing
                self._count("peer_closed")
        except OSError:
            pass  # cut by stop(), or the safety timeout
        except BaseException as error:  # the handler's own failure: reported by __exit__
            self.errors.append(error)
        finally:
            sock.close()
            with self._changed:
                self._sockets -= {raw, sock}
                self.open -= 1
                self._changed.notify_all()

    def _converse(self, sock: socket.socket, number: int) -> None:
        buffer = b""
        while True:
            request, buffer = _read_request(sock, buffer, number)
            with self._changed:
                self.requests.append(request)
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                self._changed.notify_all()
            try:
                act = self.handler(request)
                if act.hold:
                    time.sleep(act.hold)
                sock.sendall(act.data)
                if act.then == "hang":  # in flight until the client gives up
                    while sock.recv(65536):
                        pass  # whatever the client sends now is ignored
                    raise _PeerClosed
            finally:
                with self._changed:
                    self.in_flight -= 1
                    self._changed.notify_all()
            if act.cue is not None:
                act.cue.wait(SAFETY_TIMEOUT)
                sock.sendall(act.farewell)
            if act.then == "close":
                with contextlib.suppress(OSError):  # the client may have closed it already
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                sock.close()
                self._count("server_closed")
                return

    def _count(self, counter: str) -> None:
        with self._changed:
            setattr(self, counter, getattr(self, counter) + 1)
            self._changed.notify_all()


def _read_request(sock: socket.socket, buffer: bytes, number: int) -> tuple[RawRequest, bytes]:
    """Read one request head and its Content-Length body; the rest of the buffer is returned."""
    while b"\r\n\r\n" not in buffer:
        received = sock.recv(65536)
        if not received:
            raise _PeerClosed
        buffer += received
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    first, *lines = head.decode("latin-1").split("\r\n")
    method, target, _version = first.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(buffer) < length:
        received = sock.recv(65536)
        if not received:
            raise _PeerClosed
        buffer += received
    body, buffer = buffer[:length], buffer[length:]
    return RawRequest(number, method, target, headers, body), buffer
