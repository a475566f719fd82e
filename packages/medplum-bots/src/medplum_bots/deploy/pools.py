"""The deployer's connections: httpx's own transports, one pool per few requests in flight.

Why several pools: httpcore 1.0's pool re-checks every pooled connection whenever a request
starts or ends (encode/httpcore#1035), so its CPU per request grows with the pool's size. With
50 bots in flight (150 connections) one pool cost about 0.4 s of CPU in a 50-bot deploy, more
than the network waits it saves; pools of at most `POOL_SIZE` connections keep the cost per
request flat (measured by bench/bench_deploy.py, figures in BENCHMARKS.md). Requests go to the
pools in turn; each pool is httpx's `AsyncHTTPTransport`, untouched.
"""

from __future__ import annotations

import functools
import itertools
import math
import ssl
import urllib.request

import httpx

POOL_SIZE = 16


class PooledTransport(httpx.AsyncBaseTransport):
    """Requests spread in turn over several httpx transports (connection pools)."""

    def __init__(self, pools: list[httpx.AsyncHTTPTransport]) -> None:
        self.pools = pools
        self._turn = itertools.cycle(range(len(pools)))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pools[next(self._turn)].handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


def deploy_transport(connections: int) -> PooledTransport | None:
    """Pools for `connections` requests in flight, every connection kept alive.

    None when a proxy is configured (HTTPS_PROXY, ALL_PROXY...): httpx's client then builds
    its own transport and applies the proxy and NO_PROXY itself, as it does for a transport
    it makes but not for one it is given.
    """
    if any(scheme != "no" for scheme in urllib.request.getproxies()):
        return None
    count = max(1, math.ceil(connections / POOL_SIZE))
    size = math.ceil(connections / count)
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    context = tls_context()
    return PooledTransport(
        [httpx.AsyncHTTPTransport(verify=context, limits=limits) for _ in range(count)]
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of a run: loading the CA bundle takes ~18 ms each
    time (httpx's default, with SSL_CERT_FILE / SSL_CERT_DIR honoured)."""
    return httpx.create_ssl_context()
