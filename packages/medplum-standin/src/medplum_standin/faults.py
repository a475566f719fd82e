"""Injectable faults: answer with an error status, answer slowly, or drop the connection.

Faults are checked before a request is handled, so a faulted request does no work on the
server (like a 429 or a 503 from a load balancer in front of Medplum); one added with
`after=True` lets the request be handled first and then loses its answer (a 502 from a proxy
whose upstream did the work, or a connection dropped on the way back).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    """One injected fault; `times` counts down each time it fires (None = forever)."""

    method: str | None
    path: re.Pattern[str] | None
    status: int | None
    times: int | None
    retry_after: str | None
    delay: float
    drop: bool
    body: bytes | None
    after: bool = False
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        """True when the fault applies to `method` and `path` (the URL path, query excluded)."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None


class Faults:
    """Thread-safe list of faults; the first matching live fault fires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = 503,
        times: int | None = 1,
        retry_after: float | str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        body: bytes | str | None = None,
        after: bool = False,
    ) -> Fault:
        """Inject a fault.

        `path` is a regular expression searched in the request path (e.g. `r"/\\$deploy$"`,
        `"oauth2/token"`). `status=None` with `delay` gives a slow but normal answer;
        `drop=True` closes the connection without answering (after reading the request).
        `retry_after` is sent as the `Retry-After` header (seconds or an HTTP date).
        `body` replaces the default OperationOutcome body. `after=True`: the request is
        handled (its work done) before the fault replaces the answer.
        """
        if times is not None and times < 1:
            raise ValueError(f"times must be >= 1 or None, got {times}")
        fault = Fault(
            method=method,
            path=re.compile(path) if path is not None else None,
            status=status,
            times=times,
            retry_after=None if retry_after is None else _retry_after_text(retry_after),
            delay=delay,
            drop=drop,
            body=body.encode() if isinstance(body, str) else body,
            after=after,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request (consuming one of its `times`), if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Remove every pending fault."""
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        """Faults that have not been used up yet."""
        with self._lock:
            return list(self._faults)


def _retry_after_text(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)
