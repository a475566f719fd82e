"""Per-execution log capture: `print`, `sys.stderr` writes and `logging` records of one bot run.

Medplum stores what a bot prints in the execution's AuditEvent. Several executions can run at
once in one process (threads for `def` handlers, tasks for `async def` ones), so output is
routed by a context variable rather than by swapping `sys.stdout` per run: while at least one
capture is active, `sys.stdout`/`sys.stderr` are proxies that write to the buffer of the
current context, or to the real stream when the current context is not capturing.
Context variables follow `asyncio` tasks and `asyncio.to_thread`; threads a bot starts itself
(without copying the context) write to the real streams.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import BinaryIO, TextIO

# Records from the HTTP client stack describe the runtime's own plumbing, not the bot.
IGNORED_LOGGERS = ("httpx", "httpcore", "uvicorn", "asyncio")
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class LogBuffer:
    """The text one execution wrote, in order, across stdout, stderr and logging."""

    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        self._parts: list[str] = []
        self._lock = threading.Lock()
        self._sink = sink

    def write(self, text: str) -> None:
        with self._lock:
            self._parts.append(text)
            if self._sink is not None:
                # Streamed as written (sealed workers): a killed worker's logs so far survive.
                self._sink(text)

    def lines(self) -> list[str]:
        """The output split into lines (a trailing newline does not add an empty line)."""
        with self._lock:
            return "".join(self._parts).splitlines()


_current: ContextVar[LogBuffer | None] = ContextVar("medplum_bots_log_buffer", default=None)
# A sealed worker runs one execution at a time: output of threads that did not copy the
# context belongs to that execution too (see `capture_logs(catch_all=True)`).
_fallback: LogBuffer | None = None


def _buffer() -> LogBuffer | None:
    return _current.get() or _fallback


class _StreamProxy(io.TextIOBase):
    """Stands in for sys.stdout/sys.stderr; writes go to the current execution's buffer."""

    def __init__(self, original: TextIO) -> None:
        super().__init__()
        self.original = original

    def write(self, text: str) -> int:
        buffer = _buffer()
        if buffer is None:
            return self.original.write(text)
        buffer.write(text)
        return len(text)

    def flush(self) -> None:
        if _buffer() is None:
            self.original.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return _buffer() is None and self.original.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.original, "encoding", None) or "utf-8"

    @property
    def buffer(self) -> BinaryIO:
        # Raw bytes bypass the capture; text is what bots print.
        return self.original.buffer

    def fileno(self) -> int:
        return self.original.fileno()


class _CaptureHandler(logging.Handler):
    """A root-logger handler that copies records into the current execution's buffer."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        buffer = _buffer()
        if buffer is None:
            _last_resort(record, self)
            return
        if record.name.startswith(IGNORED_LOGGERS):
            return
        try:
            buffer.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _last_resort(record: logging.LogRecord, handler: logging.Handler) -> None:
    """Do what logging does for a record no handler takes: print it (WARNING+) to stderr.

    Installing this handler on the root logger would otherwise silence such records, e.g.
    the runtime's own warnings, whenever some execution is being captured.
    """
    resort = logging.lastResort
    if resort is None or record.levelno < resort.level:
        return
    logger: logging.Logger | None = logging.getLogger(record.name)
    while logger is not None:
        if any(h is not handler for h in logger.handlers):
            return  # someone else handles it
        if not logger.propagate:
            break
        logger = logger.parent
    resort.handle(record)


_install_lock = threading.Lock()
_active = 0
_handler = _CaptureHandler()


def _install() -> None:
    global _active
    with _install_lock:
        _active += 1
        # Re-checked on every entry: test runners replace sys.stdout between tests.
        if not isinstance(sys.stdout, _StreamProxy):
            sys.stdout = _StreamProxy(sys.stdout)
        if not isinstance(sys.stderr, _StreamProxy):
            sys.stderr = _StreamProxy(sys.stderr)
        root = logging.getLogger()
        if _handler not in root.handlers:
            root.addHandler(_handler)


def _uninstall() -> None:
    global _active
    with _install_lock:
        _active -= 1
        if _active:
            return
        if isinstance(sys.stdout, _StreamProxy):
            sys.stdout = sys.stdout.original
        if isinstance(sys.stderr, _StreamProxy):
            sys.stderr = sys.stderr.original
        logging.getLogger().removeHandler(_handler)


@contextmanager
def capture_logs(
    sink: Callable[[str], None] | None = None, *, catch_all: bool = False
) -> Iterator[LogBuffer]:
    """Capture this context's output into a fresh LogBuffer until the block ends.

    `sink` receives each write as it happens; `catch_all` (a process running one execution
    at a time) also takes the output of threads that do not carry this context.
    """
    global _fallback
    buffer = LogBuffer(sink)
    _install()
    token = _current.set(buffer)
    if catch_all:
        _fallback = buffer
    try:
        yield buffer
    finally:
        if catch_all:
            _fallback = None
        _current.reset(token)
        _uninstall()


def hold_capture() -> Callable[..., None]:
    """Keep the stream proxies installed until the returned function is called.

    For a bot still running after its execution was answered (a timeout): its later output
    must keep going to its own (discarded) buffer, never to the runtime's log.
    """
    _install()
    released = threading.Event()

    def release(*_: object) -> None:
        if not released.is_set():
            released.set()
            _uninstall()

    return release
