"""The deployer's HTTP/1.1 transport against real sockets on 127.0.0.1.

Scripted servers (`tests/client/raw_server.py`) send exact bytes and count connections, so
each test pins what the transport does on the wire: keep-alive and when not to reuse a
connection, body framing, the error each failure maps to, the in-flight bound, preconnects,
closing, TLS, proxies, and the Medplum client on top of it (against the stand-in).
"""

from __future__ import annotations

import asyncio
import datetime
import gc
import ipaddress
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from medplum_standin import MedplumStandIn
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID

from medplum_bots import AsyncMedplumClient
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.deploy.http1_transport import Http1Transport, proxy_for, transport_for
from tests.client.raw_server import Act, RawRequest, RawServer, http_response

T = TypeVar("T")

# Generous enough never to fire in a passing test, short enough to fail fast in a broken one.
TIMEOUT = httpx.Timeout(5.0)


def ok(body: bytes = b"ok", **kwargs: Any) -> Act:
    """A 200 answer with `body`; `kwargs` are the rest of the Act."""
    return Act(http_response(200, body, [("Content-Type", "text/plain")]), **kwargs)


def always(act: Act) -> Callable[[RawRequest], Act]:
    return lambda request: act


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(main())


def client(transport: Http1Transport, timeout: httpx.Timeout = TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, timeout=timeout)


async def until(server: RawServer, predicate: Callable[[RawServer], bool]) -> None:
    """Wait, without blocking the loop, for the server to reach a state; then let the loop
    process what the client's sockets received meanwhile (handshakes, EOFs)."""
    await asyncio.to_thread(server.wait_until, predicate)
    for _ in range(10):
        await asyncio.sleep(0)


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port: int = sock.getsockname()[1]
    return port


@dataclass
class LoopTrouble:
    """What a run left behind: warnings (ResourceWarning for unclosed sockets) and errors the
    event loop reported (e.g. a task destroyed while pending, an exception never retrieved)."""

    warnings: list[str]
    loop_errors: list[str]


def watched(main: Callable[[], Coroutine[Any, Any, None]]) -> LoopTrouble:
    """Run `main` in a fresh loop, recording warnings and the loop's error reports."""
    loop_errors: list[str] = []

    async def observed() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda loop, context: loop_errors.append(str(context.get("message")))
        )
        await main()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(observed())
        gc.collect()  # unclosed sockets and transports warn when collected
    return LoopTrouble([str(w.message) for w in caught], loop_errors)


# -- round trips -------------------------------------------------------------------------------


def test_get_sends_target_and_headers_and_returns_the_answer() -> None:
    """A GET arrives with its method, raw path and query, Host and the caller's headers; the
    status, reason, headers and body of the answer come back unchanged."""
    answer = http_response(
        200, b'{"hello": "world"}', [("Content-Type", "application/json"), ("X-Reply", "r1")]
    )
    with RawServer(always(Act(answer))) as server:

        async def main() -> httpx.Response:
            async with client(Http1Transport()) as http:
                return await http.get(
                    server.url("/fhir/R4/Patient?name=a%20b&_count=2"), headers={"X-Test": "t1"}
                )

        response = run(main)
    [seen] = server.requests
    assert (seen.method, seen.target) == ("GET", "/fhir/R4/Patient?name=a%20b&_count=2")
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"
    assert seen.headers["x-test"] == "t1"
    assert seen.body == b""
    assert response.status_code == 200
    assert response.reason_phrase == "OK"
    assert response.http_version == "HTTP/1.1"
    assert response.headers["x-reply"] == "r1"
    assert response.json() == {"hello": "world"}


def test_post_sends_its_body_and_returns_the_answer() -> None:
    """A POST's body arrives whole with its Content-Length and Content-Type; a 201 with its
    Location header and body comes back."""
    created = http_response(201, b'{"id": "42"}', [("Location", "/fhir/R4/Patient/42")])
    with RawServer(always(Act(created))) as server:

        async def main() -> httpx.Response:
            async with client(Http1Transport()) as http:
                return await http.post(server.url("/fhir/R4/Patient"), json={"name": "Doe"})

        response = run(main)
    [seen] = server.requests
    assert (seen.method, seen.target) == ("POST", "/fhir/R4/Patient")
    assert seen.body == b'{"name":"Doe"}'
    assert seen.headers["content-length"] == str(len(seen.body))
    assert seen.headers["content-type"] == "application/json"
    assert response.status_code == 201
    assert response.headers["location"] == "/fhir/R4/Patient/42"
    assert response.json() == {"id": "42"}


def test_a_large_body_goes_out_and_comes_back_whole() -> None:
    """Bodies larger than one socket read (and than the stream buffers) are not truncated."""
    payload = bytes(range(256)) * 4096  # 1 MiB

    def echo(request: RawRequest) -> Act:
        return Act(http_response(200, request.body))

    with RawServer(echo) as server:

        async def main() -> httpx.Response:
            async with client(Http1Transport()) as http:
                return await http.put(server.url("/echo"), content=payload)

        response = run(main)
    assert server.requests[0].body == payload
    assert response.content == payload


# -- connection reuse --------------------------------------------------------------------------


def test_sequential_requests_share_one_connection() -> None:
    """Keep-alive: three requests in a row go over the one connection the first one opened."""
    with RawServer(always(ok())) as server:

        async def main() -> list[int]:
            async with client(Http1Transport()) as http:
                return [(await http.get(server.url(f"/{n}"))).status_code for n in range(3)]

        statuses = run(main)
    assert statuses == [200, 200, 200]
    assert server.accepted == 1
    assert [r.connection for r in server.requests] == [1, 1, 1]


def test_an_answer_with_connection_close_is_not_reused() -> None:
    """After `Connection: close` the client closes that connection itself (even though this
    server would keep it open) and the next request opens a new one."""
    closing = http_response(200, b"first", [("Connection", "close")])

    def handler(request: RawRequest) -> Act:
        return Act(closing) if request.target == "/first" else ok(b"second")

    with RawServer(handler) as server:

        async def main() -> list[bytes]:
            async with client(Http1Transport()) as http:
                first = await http.get(server.url("/first"))
                await until(server, lambda s: s.peer_closed == 1)  # the client hung up
                second = await http.get(server.url("/second"))
                return [first.content, second.content]

        bodies = run(main)
    assert bodies == [b"first", b"second"]
    assert server.accepted == 2
    assert [r.connection for r in server.requests] == [1, 2]


def test_chunked_answer_is_decoded_and_the_connection_reused() -> None:
    """A chunked body is reassembled from its chunks, and its end is found: the connection
    serves the next request."""
    chunked = http_response(200, b"", [("Transfer-Encoding", "chunked")], content_length=False)
    chunked += b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"

    def handler(request: RawRequest) -> Act:
        return Act(chunked) if request.target == "/chunked" else ok(b"next")

    with RawServer(handler) as server:

        async def main() -> list[bytes]:
            async with client(Http1Transport()) as http:
                first = await http.get(server.url("/chunked"))
                second = await http.get(server.url("/next"))
                return [first.content, second.content]

        bodies = run(main)
    assert bodies == [b"hello world", b"next"]
    assert server.accepted == 1


def test_head_and_204_answers_have_no_body_and_keep_the_connection() -> None:
    """A HEAD answer's Content-Length announces no body, a 204 has none: both end at their
    head, and the next request on the same connection gets its own answer."""

    def handler(request: RawRequest) -> Act:
        if request.method == "HEAD":
            return Act(
                http_response(200, headers=[("Content-Length", "1000")], content_length=False)
            )
        if request.method == "DELETE":
            return Act(http_response(204, content_length=False))
        return ok(b"after")

    with RawServer(handler) as server:

        async def main() -> list[tuple[int, bytes]]:
            async with client(Http1Transport()) as http:
                head = await http.head(server.url("/thing"))
                gone = await http.delete(server.url("/thing"))
                after = await http.get(server.url("/thing"))
                return [(r.status_code, r.content) for r in (head, gone, after)]

        answers = run(main)
    assert answers == [(200, b""), (204, b""), (200, b"after")]
    assert server.accepted == 1
    assert [r.method for r in server.requests] == ["HEAD", "DELETE", "GET"]


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """The server closes a kept-alive connection while it sits idle in the pool: the next
    request notices and goes over a fresh connection instead of failing."""
    cue = threading.Event()

    def handler(request: RawRequest) -> Act:
        return ok(b"first", cue=cue, then="close") if request.connection == 1 else ok(b"second")

    with RawServer(handler) as server:

        async def main() -> list[bytes]:
            async with client(Http1Transport()) as http:
                first = await http.get(server.url("/1"))
                cue.set()  # now the server closes the idle connection
                await until(server, lambda s: s.server_closed == 1)
                second = await http.get(server.url("/2"))
                return [first.content, second.content]

        bodies = run(main)
    assert bodies == [b"first", b"second"]
    assert [r.connection for r in server.requests] == [1, 2]


def test_an_idle_connection_with_stray_bytes_is_not_reused() -> None:
    """Some servers say goodbye on an idle keep-alive connection (a `408 Request Timeout`)
    before closing it. Those bytes answer no request of ours: the connection must not be
    reused, so the next request gets its own answer over a fresh connection."""
    cue = threading.Event()
    goodbye = http_response(408, headers=[("Connection", "close")])

    def handler(request: RawRequest) -> Act:
        if request.connection == 1:
            return ok(b"first", cue=cue, farewell=goodbye, then="close")
        return ok(b"second")

    with RawServer(handler) as server:

        async def main() -> list[tuple[int, bytes]]:
            async with client(Http1Transport()) as http:
                first = await http.get(server.url("/1"))
                cue.set()
                await until(server, lambda s: s.server_closed == 1)
                second = await http.get(server.url("/2"))
                return [(r.status_code, r.content) for r in (first, second)]

        answers = run(main)
    assert answers == [(200, b"first"), (200, b"second")]
    assert server.accepted == 2


# -- failures ----------------------------------------------------------------------------------


def test_an_answer_that_never_comes_is_a_read_timeout() -> None:
    """A server that accepts the request and never answers gives httpx.ReadTimeout after the
    client's timeout; the half-used connection is closed (not reused, not leaked)."""

    def handler(request: RawRequest) -> Act:
        return Act(then="hang") if request.connection == 1 else ok(b"fresh")

    with RawServer(handler) as server:
        bodies: list[bytes] = []

        async def main() -> None:
            async with client(Http1Transport(), httpx.Timeout(0.2)) as http:
                with pytest.raises(httpx.ReadTimeout):
                    await http.get(server.url("/slow"))
                await until(server, lambda s: s.peer_closed == 1)
                bodies.append((await http.get(server.url("/fast"))).content)

        trouble = watched(main)
    assert bodies == [b"fresh"]
    assert server.accepted == 2
    assert trouble == LoopTrouble([], [])


def test_a_refused_connection_is_a_connect_error() -> None:
    """Nothing listening on the port: httpx.ConnectError (retried by the client for any
    method, as the request never left)."""

    async def main() -> None:
        async with client(Http1Transport()) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://127.0.0.1:{closed_port()}/")

    assert watched(main) == LoopTrouble([], [])


TRUNCATED = http_response(200, b"", [("Content-Length", "100")], content_length=False)


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(Act(TRUNCATED + b"0123456789", then="close"), id="body-cut-short"),
        pytest.param(Act(then="close"), id="dropped-without-an-answer"),
        pytest.param(Act(b"SSH-2.0-OpenSSH_9.6\r\n\r\n", then="close"), id="not-http"),
    ],
)
def test_a_broken_answer_is_a_remote_protocol_error(act: Act) -> None:
    """The server closes after 10 of 100 announced body bytes, or closes without a status line
    (a crashed proxy), or speaks another protocol: httpx.RemoteProtocolError, exactly (the
    client retries it for idempotent requests only), never a short or made-up answer; the
    connection is closed, not leaked."""
    with RawServer(always(act)) as server:
        errors: list[type[httpx.TransportError]] = []

        async def main() -> None:
            async with client(Http1Transport()) as http:
                with pytest.raises(httpx.TransportError) as caught:
                    await http.get(server.url("/"))
                errors.append(type(caught.value))

        trouble = watched(main)
    assert errors == [httpx.RemoteProtocolError]
    assert trouble == LoopTrouble([], [])


# -- the in-flight bound -----------------------------------------------------------------------


def test_max_connections_bounds_requests_in_flight() -> None:
    """Ten concurrent requests with max_connections=2: the server never has more than two
    requests or connections at once, the two connections serve all ten, and all succeed."""
    with RawServer(always(ok(hold=0.05))) as server:

        async def main() -> list[int]:
            async with client(Http1Transport(max_connections=2)) as http:
                answers = await asyncio.gather(*(http.get(server.url(f"/{n}")) for n in range(10)))
                return [a.status_code for a in answers]

        statuses = run(main)
    assert statuses == [200] * 10
    assert server.max_in_flight == 2
    assert server.max_open == 2
    assert server.accepted == 2


def test_waiting_longer_than_the_pool_timeout_for_a_slot_is_a_pool_timeout() -> None:
    """With the only slot taken by a request that hangs, another request gives up after the
    pool timeout (httpx.PoolTimeout); cancelling the hung request closes its connection."""
    with RawServer(always(Act(then="hang"))) as server:

        async def main() -> None:
            async with client(
                Http1Transport(max_connections=1), httpx.Timeout(5.0, pool=0.2)
            ) as http:
                hung = asyncio.create_task(http.get(server.url("/hung")))
                await until(server, lambda s: s.in_flight == 1)
                with pytest.raises(httpx.PoolTimeout):
                    await http.get(server.url("/waiting"))
                hung.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await hung
                await until(server, lambda s: s.peer_closed == 1)

        trouble = watched(main)
    assert server.accepted == 1  # the waiting request never opened a connection
    assert trouble == LoopTrouble([], [])


# -- preconnect --------------------------------------------------------------------------------


def test_preconnected_connections_serve_the_next_requests() -> None:
    """preconnect(url, 5) opens five connections in the background; five concurrent requests
    then use them: the server accepted exactly five connections in all."""
    with RawServer(always(ok(hold=0.05))) as server:

        async def main() -> list[int]:
            transport = Http1Transport()
            async with client(transport) as http:
                transport.preconnect(server.url("/"), 5)
                await until(server, lambda s: s.accepted == 5)
                answers = await asyncio.gather(*(http.get(server.url(f"/{n}")) for n in range(5)))
                return [a.status_code for a in answers]

        statuses = run(main)
    assert statuses == [200] * 5
    assert server.accepted == 5
    assert sorted(r.connection for r in server.requests) == [1, 2, 3, 4, 5]


def test_a_failed_preconnect_is_silent_and_the_request_reports_the_error() -> None:
    """preconnect to a port nothing listens on raises nothing, not even in the background
    (no exception left for the loop to report); the request that needed the connection
    reports httpx.ConnectError itself."""
    url = f"http://127.0.0.1:{closed_port()}/"

    async def main() -> None:
        transport = Http1Transport()
        async with client(transport) as http:
            transport.preconnect(url, 3)
            for _ in range(10):
                await asyncio.sleep(0)  # the refusals come back at once on 127.0.0.1
            with pytest.raises(httpx.ConnectError):
                await http.get(url)

    assert watched(main) == LoopTrouble([], [])


# -- closing -----------------------------------------------------------------------------------


def test_aclose_closes_idle_connections_and_refuses_new_requests() -> None:
    """aclose() closes the pooled connection (the server reads EOF, nothing is left to
    warn about); a request afterwards raises httpx.ConnectError without opening a connection."""
    with RawServer(always(ok())) as server:

        async def main() -> None:
            transport = Http1Transport()
            async with client(transport) as http:
                await http.get(server.url("/1"))
                await http.get(server.url("/2"))
            # leaving the client closed the transport
            await until(server, lambda s: s.peer_closed == 1)
            with pytest.raises(httpx.ConnectError):
                await transport.handle_async_request(httpx.Request("GET", server.url("/3")))

        trouble = watched(main)
    assert server.accepted == 1
    assert len(server.requests) == 2
    assert trouble == LoopTrouble([], [])


def test_aclose_during_tls_handshakes_of_preconnects() -> None:
    """aclose() while preconnects are stuck in their TLS handshake (the server never answers
    the ClientHello): no exception, no warning, and every connection is closed."""
    with RawServer(always(ok())) as server:  # plain TCP: it reads the ClientHello, says nothing
        https_url = f"https://127.0.0.1:{server.port}/"

        async def main() -> None:
            transport = Http1Transport()
            transport.preconnect(https_url, 3)
            await until(server, lambda s: s.accepted == 3)
            await transport.aclose()
            await until(server, lambda s: s.peer_closed == 3)

        trouble = watched(main)
        server.wait_until(lambda s: s.open == 0)
    assert trouble == LoopTrouble([], [])


def test_preconnect_after_aclose_leaves_no_connection_open() -> None:
    """A preconnect asked of a closed transport does not put connections in a pool nobody
    will close: whatever it opens is closed again, without warnings."""
    with RawServer(always(ok())) as server:

        async def main() -> None:
            transport = Http1Transport()
            await transport.aclose()
            transport.preconnect(server.url("/"), 2)
            for _ in range(20):
                await asyncio.sleep(0)  # the connects complete at once on 127.0.0.1

        trouble = watched(main)
        server.wait_until(lambda s: s.open == 0)
    assert trouble == LoopTrouble([], [])


def test_aclose_right_after_preconnect() -> None:
    """aclose() before the preconnects even started: no exception, no warning, and no
    connection is left open on the server."""
    with RawServer(always(ok())) as server:

        async def main() -> None:
            transport = Http1Transport()
            transport.preconnect(server.url("/"), 3)
            await transport.aclose()

        trouble = watched(main)
        server.wait_until(lambda s: s.open == 0)
    assert trouble == LoopTrouble([], [])


# -- TLS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """A throwaway self-signed certificate for 127.0.0.1 and its key, as PEM files."""

    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying context that trusts this certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.cert_file))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "medplum-bots test 127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(cert_file, key_file)


def test_tls_with_a_context_that_trusts_the_server(certificate: Certificate) -> None:
    """Over TLS with the caller's ssl_context: the certificate (IP SAN 127.0.0.1) verifies,
    answers come back, the connection is kept alive, and closing leaves nothing behind."""
    with RawServer(always(ok(b"secure")), tls=certificate.server_context()) as server:
        bodies: list[bytes] = []

        async def main() -> None:
            transport = Http1Transport(ssl_context=certificate.client_context())
            async with client(transport) as http:
                for n in range(2):
                    bodies.append((await http.get(server.url(f"/{n}"))).content)
            await until(server, lambda s: s.peer_closed == 1)

        trouble = watched(main)
    assert server.url().startswith("https://")
    assert bodies == [b"secure", b"secure"]
    assert server.accepted == 1
    assert trouble == LoopTrouble([], [])


def test_tls_with_the_default_context_rejects_an_unknown_certificate(
    certificate: Certificate,
) -> None:
    """Without a context trusting it, the self-signed certificate fails verification:
    httpx.ConnectError, and the handshake fails on the server too."""
    with RawServer(always(ok()), tls=certificate.server_context()) as server:

        async def main() -> None:
            async with client(Http1Transport()) as http:
                with pytest.raises(httpx.ConnectError) as caught:
                    await http.get(server.url("/"))
            assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)

        run(main)
        server.wait_until(lambda s: s.handshake_failures == 1)
    assert server.requests == []


# -- proxies -----------------------------------------------------------------------------------

PROXY_VARIABLES = [
    variant
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    for variant in (name, name.upper())
]
API = "https://api.example.com/"


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """An environment without any proxy variable (the test sets the ones it needs)."""
    for variable in PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    yield monkeypatch


def test_an_https_proxy_gets_httpx_transport(no_proxy_env: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY applies to an https URL: proxy_for finds it, and transport_for hands the run to
    httpx's own transport (which speaks to proxies)."""
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert proxy_for(API) is not None
    assert isinstance(transport_for(API, 8), httpx.AsyncHTTPTransport)


def test_no_proxy_exempts_the_host(no_proxy_env: pytest.MonkeyPatch) -> None:
    """NO_PROXY naming the host wins over HTTPS_PROXY: our transport."""
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    no_proxy_env.setenv("NO_PROXY", "api.example.com")
    assert proxy_for(API) is None
    assert isinstance(transport_for(API, 8), Http1Transport)


def test_without_proxy_variables_our_transport_is_used(no_proxy_env: pytest.MonkeyPatch) -> None:
    """No proxy in the environment: our transport; a proxy for the other scheme does not
    count either."""
    assert proxy_for(API) is None
    assert isinstance(transport_for(API, 8), Http1Transport)
    no_proxy_env.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    assert proxy_for(API) is None
    assert isinstance(transport_for(API, 8), Http1Transport)


def test_requests_through_transport_for_reach_the_proxy(no_proxy_env: pytest.MonkeyPatch) -> None:
    """With HTTP_PROXY set, the deployer's client (AsyncMedplumClient given transport_for's
    transport, as deploy_session does) must send its requests to the proxy; a proxy is
    often the only way out of a CI runner's network."""
    patient_json = http_response(
        200, b'{"resourceType": "Patient", "id": "1"}', [("Content-Type", "application/fhir+json")]
    )
    with RawServer(always(Act(patient_json))) as proxy:
        no_proxy_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        base_url = "http://medplum.invalid/"

        async def main() -> dict[str, Any]:
            transport = transport_for(base_url, 4)
            async with AsyncMedplumClient(
                base_url, access_token="token", transport=transport, retry=RetryPolicy.never()
            ) as medplum:
                return await medplum.read_resource("Patient", "1")

        patient = run(main)
    assert patient["id"] == "1"
    [seen] = proxy.requests
    assert seen.target == "http://medplum.invalid/fhir/R4/Patient/1"  # absolute: a proxy request


# -- the Medplum client on top of it -----------------------------------------------------------


def no_wait_policy() -> RetryPolicy:
    async def no_sleep(seconds: float) -> None:
        return None

    return RetryPolicy(max_attempts=3, async_sleep=no_sleep, sleep=lambda seconds: None)


def test_medplum_client_logs_in_creates_and_reads(medplum_standin: MedplumStandIn) -> None:
    """AsyncMedplumClient over Http1Transport: client-credentials login, then a created
    Patient reads back from the stand-in."""

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        async with AsyncMedplumClient(
            medplum_standin.base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            transport=Http1Transport(max_connections=4),
        ) as medplum:
            created = await medplum.create_resource(
                {"resourceType": "Patient", "name": [{"family": "Doe"}]}
            )
            read = await medplum.read_resource("Patient", created["id"])
            return created, read

    created, read = run(main)
    assert read["id"] == created["id"]
    assert read["name"] == [{"family": "Doe"}]
    assert medplum_standin.tokens_issued == 1
    assert [(r.method, r.path, r.status) for r in medplum_standin.requests] == [
        ("POST", "/oauth2/token", 200),
        ("POST", "/fhir/R4/Patient", 201),
        ("GET", f"/fhir/R4/Patient/{created['id']}", 200),
    ]


def test_medplum_client_retries_a_get_whose_connection_was_dropped(
    medplum_standin: MedplumStandIn,
) -> None:
    """The stand-in drops the connection of a GET without answering: the transport reports
    it as a transport error and the client's retry gets the resource on a new connection."""
    patient = medplum_standin.seed({"resourceType": "Patient", "id": "p1"}, PROJECT_ID)
    medplum_standin.faults.add(method="GET", path=r"/Patient/p1$", drop=True, status=None, times=1)

    async def main() -> dict[str, Any]:
        async with AsyncMedplumClient(
            medplum_standin.base_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            transport=Http1Transport(),
            retry=no_wait_policy(),
        ) as medplum:
            return await medplum.read_resource("Patient", "p1")

    read = run(main)
    assert read["id"] == patient["id"]
    assert not medplum_standin.faults.pending()
    gets = [(r.path, r.status) for r in medplum_standin.requests if r.method == "GET"]
    assert gets == [("/fhir/R4/Patient/p1", 0), ("/fhir/R4/Patient/p1", 200)]  # 0: dropped
