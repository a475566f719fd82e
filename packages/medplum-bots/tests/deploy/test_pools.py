"""The deployer's pools (deploy/pools.py), over real sockets to a loopback server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from medplum_bots.deploy.pools import POOL_SIZE, PooledTransport, deploy_transport


class Ports(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    seen: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        Ports.seen.append(self.client_address[1])
        time.sleep(0.05)  # every request of a wave is in flight at once
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog (5) would drop most of a wave's connects


@pytest.fixture
def server() -> Iterator[str]:
    Ports.seen = []
    httpd = Server(("127.0.0.1", 0), Ports)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_requests_spread_over_small_pools_and_connections_are_kept(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    transport = deploy_transport(48)
    assert isinstance(transport, PooledTransport)
    assert len(transport.pools) == 3  # 48 connections, at most POOL_SIZE each

    async def waves() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(2):
                answers = await asyncio.gather(*(client.get(server) for _ in range(48)))
                assert all(a.status_code == 200 for a in answers)

    asyncio.run(waves())
    first, second = Ports.seen[:48], Ports.seen[48:]
    # 48 requests in flight at once: one connection each, over three pools of 16...
    assert len(set(first)) == 48 == 3 * POOL_SIZE
    # ... and the second wave reuses them all (keep-alive): no new connection.
    assert set(second) <= set(first)


def test_with_a_proxy_httpx_builds_its_own_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert deploy_transport(48) is None
