"""uvicorn's h11 protocol with a deadline for request headers (slow clients are cut off).

uvicorn bounds the size of incomplete headers (`h11_max_incomplete_event_size`) and the idle
time between requests (`timeout_keep_alive`), but not the time a client takes to send one
request's headers: a client trickling a byte at a time holds its connection for good. This
subclass closes a connection whose request line and headers are not complete within
`MEDPLUM_BOTS_HEADER_TIMEOUT` seconds (default 10) of its first byte or of the connection.
The body's own deadline is the app's (`MEDPLUM_BOTS_BODY_TIMEOUT`). Select it with uvicorn's
`--http medplum_bots.runtime.http_guard:GuardedH11Protocol` (`invoke serve` does).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_VAR = "MEDPLUM_BOTS_HEADER_TIMEOUT"
DEFAULT_HEADER_TIMEOUT = 10.0


def header_timeout() -> float:
    raw = os.environ.get(HEADER_TIMEOUT_VAR, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_HEADER_TIMEOUT
    except ValueError:
        return DEFAULT_HEADER_TIMEOUT
    return value if value > 0 else DEFAULT_HEADER_TIMEOUT


class GuardedH11Protocol(H11Protocol):
    """H11Protocol that closes connections whose request headers arrive too slowly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._header_timeout = header_timeout()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE:
            self._arm()  # still waiting for (the rest of) a request's headers
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm()  # between requests, uvicorn's keep-alive timeout applies

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self._header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _expired(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
