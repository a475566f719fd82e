"""A lean HTTP/1.1 transport for the deployer: asyncio streams + h11, one pool per origin.

Why not httpx's default transport: a deploy sends ~3 requests per bot with every bot in
flight, and the client's CPU per request is then the deploy's critical path. httpcore's pool
(anyio cancel scopes, per-request socket polls of every pooled connection, trace hooks) costs
about twice what this transport does for the same requests, measured in `bench/`.
What it does not do, and who does it instead:

- proxies: `transport_for(url)` returns httpx's own transport when an HTTP(S) proxy applies;
- streaming: bodies are read whole (Medplum API answers are JSON of bounded size);
- HTTP/2: not needed for one server over a handful of connections.

`preconnect(url, n)` opens connections in the background (TCP and TLS handshakes are round
trips of their own): the deployer starts them with its login, so the burst of uploads and
`$deploy`s that follows the Bot search does not wait for handshakes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, SupportsIndex

import h11
import httpx

Origin = tuple[str, str, int]  # scheme, host, port
_DEFAULT_PORTS = {"http": 80, "https": 443}
_READ_SIZE = 65536
# Idle connections kept per origin; more are closed when released.
MAX_IDLE_PER_ORIGIN = 256


def _origin(url: httpx.URL) -> Origin:
    return (url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme, 80))


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    value = request.extensions.get("timeout")
    return value if isinstance(value, dict) else {}


class _CountingReader(asyncio.StreamReader):
    """Counts the bytes received, so bytes that arrive on an idle connection are noticed."""

    received = 0

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        if isinstance(data, bytes | bytearray | memoryview):
            self.received += len(data)
        super().feed_data(data)


@dataclass
class _Connection:
    reader: _CountingReader
    writer: asyncio.StreamWriter
    state: h11.Connection
    consumed: int = 0  # bytes handed to h11

    def usable(self) -> bool:
        """Open, and nothing received since the last answer: a server that closed the
        connection, or sent an unsolicited answer (e.g. 408) while it was idle, makes it
        unusable."""
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and self.reader.received == self.consumed
        )

    def close(self) -> None:
        self.writer.close()


class Http1Transport(httpx.AsyncBaseTransport):
    """HTTP/1.1 keep-alive pool: at most `max_connections` requests in flight at once."""

    def __init__(
        self, *, max_connections: int = 100, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._ssl_context = ssl_context
        self._slots = asyncio.Semaphore(max(1, max_connections))
        self._idle: dict[Origin, list[_Connection]] = {}
        self._warming: set[asyncio.Task[None]] = set()
        self._closed = False

    # -- public --------------------------------------------------------------------------

    def preconnect(self, url: str | httpx.URL, count: int) -> None:
        """Open `count` connections to `url`'s origin in the background (failures ignored:
        the request that needs a connection will report its own error)."""
        origin = _origin(httpx.URL(url))
        for _ in range(max(0, min(count, MAX_IDLE_PER_ORIGIN))):
            task = asyncio.ensure_future(self._warm(origin))
            self._warming.add(task)
            task.add_done_callback(self._warming.discard)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        origin = _origin(request.url)
        timeouts = _timeouts(request)
        body = await request.aread()
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection slot", request=request) from None
        try:
            connection = self._take_idle(origin) or await self._connect(origin, timeouts, request)
            try:
                response = await _exchange(connection, request, body, timeouts)
            except BaseException:
                connection.close()  # a half-used connection is never reused
                raise
            self._release(origin, connection)
            return response
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._closed = True
        for task in list(self._warming):
            task.cancel()
        for task in list(self._warming):
            with contextlib.suppress(BaseException):
                await task
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    # -- connections ---------------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()  # most recently used first: least likely to be stale
            if connection.usable():
                return connection
            connection.close()
        return None

    def _release(self, origin: Origin, connection: _Connection) -> None:
        state = connection.state
        leftover, closed = state.trailing_data  # bytes after the answer: not ours to reuse
        if (
            state.our_state is h11.DONE
            and state.their_state is h11.DONE
            and not leftover
            and not closed
            and connection.usable()
            and not self._closed
        ):
            state.start_next_cycle()
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    async def _warm(self, origin: Origin) -> None:
        try:
            connection = await self._open(origin, 30.0)
        except (OSError, ssl.SSLError, TimeoutError):
            return
        if self._closed:
            connection.close()
            return
        self._idle.setdefault(origin, []).insert(0, connection)

    async def _connect(
        self, origin: Origin, timeouts: dict[str, float | None], request: httpx.Request
    ) -> _Connection:
        try:
            return await self._open(origin, timeouts.get("connect"))
        except TimeoutError:
            raise httpx.ConnectTimeout("connect timed out", request=request) from None
        except (OSError, ssl.SSLError) as error:
            raise httpx.ConnectError(str(error) or type(error).__name__, request=request) from None

    async def _open(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        tls: ssl.SSLContext | None = None
        if scheme == "https":
            tls = self._ssl_context or _default_tls_context()
        loop = asyncio.get_running_loop()
        reader = _CountingReader(limit=_READ_SIZE)
        protocol = asyncio.StreamReaderProtocol(reader)
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(
                lambda: protocol, host, port, ssl=tls, server_hostname=host if tls else None
            )
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        return _Connection(reader, writer, h11.Connection(h11.CLIENT))


async def _exchange(
    connection: _Connection,
    request: httpx.Request,
    body: bytes,
    timeouts: dict[str, float | None],
) -> httpx.Response:
    """Send one request and read its whole answer, mapping failures to httpx's errors."""
    state = connection.state
    try:
        target = request.url.raw_path
        head = h11.Request(method=request.method, target=target, headers=request.headers.raw)
        data = state.send(head) or b""
        if body:
            data += state.send(h11.Data(data=body)) or b""
        data += state.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError as error:
        raise httpx.LocalProtocolError(str(error), request=request) from None
    try:
        connection.writer.write(data)
        async with asyncio.timeout(timeouts.get("write")):
            await connection.writer.drain()
    except TimeoutError:
        raise httpx.WriteTimeout("write timed out", request=request) from None
    except OSError as error:
        raise httpx.WriteError(str(error) or type(error).__name__, request=request) from None

    answer: h11.Response | None = None
    chunks: list[bytes] = []
    while True:
        try:
            event = state.next_event()
        except h11.RemoteProtocolError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from None
        if event is h11.NEED_DATA:
            try:
                async with asyncio.timeout(timeouts.get("read")):
                    received = await connection.reader.read(_READ_SIZE)
            except TimeoutError:
                raise httpx.ReadTimeout("read timed out", request=request) from None
            except OSError as error:
                raise httpx.ReadError(str(error) or type(error).__name__, request=request) from None
            connection.consumed += len(received)
            state.receive_data(received)  # b"" means the server closed the connection
        elif isinstance(event, h11.Response):
            answer = event
        elif isinstance(event, h11.Data):
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            break
        elif isinstance(event, h11.ConnectionClosed):
            raise httpx.RemoteProtocolError(
                "the server closed the connection without a complete answer", request=request
            )
        # h11.InformationalResponse (1xx): wait for the final answer.
    assert answer is not None  # h11 yields a Response before EndOfMessage
    return httpx.Response(
        answer.status_code,
        headers=answer.headers.raw_items(),
        content=b"".join(chunks),
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": bytes(answer.reason)},
    )


@functools.cache
def _default_tls_context() -> ssl.SSLContext:
    # httpx's context: certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR when set. Creating one
    # loads the CA bundle (tens of milliseconds): once per process.
    return httpx.create_ssl_context()


def proxy_for(url: str) -> str | None:
    """The proxy the environment routes `url` through (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY)."""
    parsed = httpx.URL(url)
    proxies: dict[str, Any] = urllib.request.getproxies()
    proxy = proxies.get(parsed.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parsed.host):
        return None
    return str(proxy)


def transport_for(url: str, concurrency: int, preconnect: int = 0) -> httpx.AsyncBaseTransport:
    """The transport for a run against `url`: ours, or httpx's own when a proxy applies.

    Must be called inside the event loop that will use it when `preconnect` > 0.
    """
    proxy = proxy_for(url)
    if proxy is not None:
        # httpx reads proxy variables only for transports it builds itself: pass it on.
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        return httpx.AsyncHTTPTransport(proxy=proxy, limits=limits, verify=_default_tls_context())
    transport = Http1Transport(max_connections=concurrency)
    if preconnect:
        transport.preconnect(url, preconnect)
    return transport
