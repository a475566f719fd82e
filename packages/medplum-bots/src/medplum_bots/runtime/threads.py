"""Worker threads for `def` bots that a stuck bot cannot exhaust.

A Python thread cannot be stopped from outside, so a `def` bot that never returns keeps its
thread. The runtime answers that execution as timed out and moves on; the thread stays
"stuck" until the bot returns. `BotThreads` reuses idle threads and starts a new one whenever
none is idle, up to `limit` threads alive (stuck ones included); past that it refuses
(`RuntimeBusy`) rather than queueing behind stuck bots. Threads are daemons: a stuck bot never
keeps the process from exiting on SIGTERM.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from medplum_bots.errors import MedplumBotsError

IDLE_SECONDS = 60.0

_Item = tuple["Future[Any]", Callable[..., Any], tuple[Any, ...]]


class RuntimeBusy(MedplumBotsError):
    """Every worker thread is taken (most likely by stuck bots)."""


class BotThreads:
    """An elastic pool of daemon threads; see the module docstring."""

    def __init__(self, limit: int, name: str = "bot") -> None:
        self.limit = limit
        self.name = name
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._idle = 0
        self._live = 0
        self._busy = 0
        self._started = 0

    @property
    def live(self) -> int:
        return self._live

    @property
    def busy(self) -> int:
        """Threads running a bot right now (stuck ones included)."""
        return self._busy

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        item: _Item = (future, fn, args)
        with self._lock:
            if self._idle > 0:
                self._idle -= 1
                self._busy += 1
                self._queue.put(item)
                return future
            if self._live >= self.limit:
                raise RuntimeBusy(
                    f"runtime busy: all {self.limit} worker threads are running bots "
                    "(some may be stuck past their timeout)"
                )
            self._live += 1
            self._busy += 1
            self._started += 1
            number = self._started
        thread = threading.Thread(
            target=self._work, args=(item,), name=f"{self.name}-{number}", daemon=True
        )
        thread.start()
        return future

    def _work(self, item: _Item) -> None:
        while True:
            future, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as error:  # the caller decides; SystemExit included
                    future.set_exception(error)
            del item, future, fn, args
            with self._lock:
                self._busy -= 1
                self._idle += 1
            try:
                item = self._queue.get(timeout=IDLE_SECONDS)
                continue
            except queue.Empty:
                pass
            with self._lock:
                # A submitter may have counted this thread idle and queued work just now.
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    self._idle -= 1
                    self._live -= 1
                    return
