"""Which failed calls are worth repeating, and how long to wait before the next attempt.

The rules (see docs/DESIGN.md "Retries"):
- 429 is retried for every method: the server refused before doing any work.
- A connection that could not be opened (or a pool slot that never came) is retried for
  every method: the request never left this process.
- 5xx answers, timeouts and connections dropped after the request was sent are retried only
  for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or a POST/PATCH the caller
  marked idempotent), because the server may have done the work already. PATCH is not
  idempotent by itself: a JSON Patch `add .../-` applied twice appends twice.
- Any other 4xx is final.
Waits grow exponentially with full jitter, capped at `max_delay`, unless the server says how
long to wait with `Retry-After` (seconds or an HTTP date).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Failures where the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after (part of) the request may have been processed.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def is_idempotent(method: str, marked: bool = False) -> bool:
    """Whether repeating the request cannot do the work twice."""
    return marked or method.upper() in IDEMPOTENT_METHODS


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - now)


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries; `sleep`, `async_sleep`, `random` and `now` are injectable for tests.

    `max_attempts` counts the first try (1 disables retries). `max_retry_after` caps how long a
    server's `Retry-After` can make a caller wait.
    """

    max_attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)
    now: Callable[[], float] = field(default=time.time, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}"
            )
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    @classmethod
    def never(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt."""
        return cls(max_attempts=1)

    def retries_status(self, status: int, method: str, idempotent: bool = False) -> bool:
        """Whether an answer with HTTP `status` is worth another attempt."""
        if status == 429:
            return True
        return status >= 500 and is_idempotent(method, idempotent)

    def retries_error(self, error: Exception, method: str, idempotent: bool = False) -> bool:
        """Whether a transport failure is worth another attempt."""
        if isinstance(error, _NOT_SENT):
            return True
        return isinstance(error, _MAYBE_SENT) and is_idempotent(method, idempotent)

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        told = parse_retry_after(retry_after, self.now())
        if told is not None:
            return min(told, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return self.random() * ceiling  # full jitter: spreads clients that failed together

    def next_delay(
        self,
        attempt: int,
        method: str,
        idempotent: bool,
        *,
        status: int | None = None,
        error: Exception | None = None,
        retry_after: str | None = None,
    ) -> float | None:
        """The wait before attempt `attempt + 1`, or None when the failure is final."""
        if attempt >= self.max_attempts:
            return None
        if error is not None:
            retry = self.retries_error(error, method, idempotent)
        else:
            retry = status is not None and self.retries_status(status, method, idempotent)
        return self.delay(attempt, retry_after) if retry else None
