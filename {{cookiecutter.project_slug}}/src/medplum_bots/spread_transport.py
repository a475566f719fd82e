"""An httpx transport that spreads concurrent requests over several small connection pools.

httpcore's connection pool checks the socket of every pooled connection each time a request
starts or ends, so its CPU cost grows with the square of the requests in flight
(encode/httpcore#924). With 50 bots deploying at once, that bookkeeping cost more than all the
rest of the deploy. Round-robin over pools of a few connections each keeps it flat; the
requests and their retries are otherwise untouched. All pools share one TLS context: creating
one loads the CA bundle, which takes tens of milliseconds.
"""

from __future__ import annotations

import functools
import ssl

import httpx

REQUESTS_PER_POOL = 8


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def pools_for(concurrency: int) -> int:
    """How many pools suit `concurrency` requests in flight (at least 1, at most 32)."""
    return max(1, min(32, -(-concurrency // REQUESTS_PER_POOL)))


class SpreadTransport(httpx.AsyncBaseTransport):
    """`pools` independent `httpx.AsyncHTTPTransport`s, used in turn."""

    def __init__(self, pools: int) -> None:
        self._pools = [httpx.AsyncHTTPTransport(verify=_tls_context()) for _ in range(pools)]
        self._next = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pool = self._pools[self._next]
        self._next = (self._next + 1) % len(self._pools)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
