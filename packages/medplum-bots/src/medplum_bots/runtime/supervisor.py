"""The supervisor's side of sealed workers: a bounded pool, one worker per bot version.

The HTTP runtime's process (the supervisor) checks each request and its artifact, then hands
the verified artifact text and the payload to a worker (`runtime/worker.py`) forked by the
zygote (`runtime/zygote.py`). A worker serves one `WorkerKey` (bot, artifact hash, the
environment or deploy key it was signed for) and one execution at a time; an idle worker of
that key is reused (warm: module state lives across executions), more are forked when
executions overlap. Bounds, all enforced from here, outside the bot:

- the execution's timeout: the worker's process group is killed (SIGKILL) and the execution
  answered as failed with its logs so far (read from the worker's shared log memory,
  `runtime/logring.py`);
- `workers` alive in all, `per_bot` per key (executions beyond that wait, within their own
  timeout, for one of that key's workers: a stuck bot cannot take every worker);
- a worker retires after `executions` runs or `idle_seconds` without one;
- a worker that dies (os._exit, a signal, the memory limit) fails that execution only,
  naming the exit status.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mmap
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime import ipc, logring
from medplum_bots.runtime.adapter import BotResult, ended
from medplum_bots.runtime.zygote import MAX_PACKET, PR_SET_DUMPABLE, prctl, worker_environment

DEFAULT_WORKERS = 64
DEFAULT_PER_BOT = 16
DEFAULT_MEMORY_MB = 512
DEFAULT_IDLE_SECONDS = 300
DEFAULT_EXECUTIONS = 10_000
EXIT_WAIT = 2.0  # how long a dead worker's exit status is waited for

log = logging.getLogger("medplum_bots.runtime")


class WorkerKey(NamedTuple):
    """What one worker may run: one bot, one artifact, one environment (or deploy key)."""

    bot: str
    sha256: str
    scope: str


@dataclass(frozen=True)
class WorkerLimits:
    workers: int = DEFAULT_WORKERS
    per_bot: int = DEFAULT_PER_BOT
    memory_mb: int = DEFAULT_MEMORY_MB
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    executions: int = DEFAULT_EXECUTIONS


class ArtifactLoadFailed(MedplumBotsError):
    """A verified artifact's code raised while loading in its worker; nothing ran."""


class RuntimeBusy(MedplumBotsError):
    """No worker could be had before the execution's deadline."""


@dataclass(eq=False)
class Worker:
    key: WorkerKey
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    logs: mmap.mmap
    zygote: Zygote
    executions: int = 0
    last_used: float = field(default_factory=time.monotonic)


class Zygote:
    """The template process (its own interpreter, scrubbed environment) and its channel."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.root = ""
        self._spawned: deque[asyncio.Future[int]] = deque()
        self._waiters: dict[int, asyncio.Future[int]] = {}
        self._statuses: OrderedDict[int, int] = OrderedDict()  # recent exits nobody asked for
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.root = tempfile.mkdtemp(prefix="medplum-bots-zygote-")
        flags = ["-P"] if sys.version_info >= (3, 11) else []
        command = [sys.executable, *flags, "-m", "medplum_bots.runtime.zygote"]
        try:
            # The listening socket and every other descriptor stay behind (close_fds).
            self.process = subprocess.Popen(
                [*command, str(theirs.fileno())],
                env=worker_environment(os.environ, self.root, sys.path),
                cwd=self.root,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        self.control = ours
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        assert self.control is not None
        while True:
            try:
                data = await loop.sock_recv(self.control, MAX_PACKET)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            if message["op"] == "spawned":
                future = self._spawned.popleft()
                if future.done():
                    continue
                if message["pid"]:
                    future.set_result(int(message["pid"]))
                else:
                    future.set_exception(RuntimeBusy(f"no new worker: {message.get('error')}"))
            elif message["op"] == "exited":
                pid, status = int(message["pid"]), int(message["status"])
                waiter = self._waiters.pop(pid, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(status)
                else:
                    self._statuses[pid] = status
                    while len(self._statuses) > 1024:
                        self._statuses.popitem(last=False)
        for future in self._spawned:
            if not future.done():
                future.set_exception(RuntimeBusy("the worker zygote ended"))

    async def spawn(self, memory_mb: int) -> tuple[int, socket.socket, mmap.mmap]:
        """A new worker: its pid, our end of its channel, its shared log memory."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_fd, logs = logring.shared_memory()
        try:
            async with self._lock:  # answers come in request order
                future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                self._spawned.append(future)
                message = {"op": "spawn", "memory_mb": memory_mb}
                await self._send(message, [theirs.fileno(), log_fd])
            pid = await future
        except BaseException:
            ours.close()
            logs.close()
            raise
        finally:
            theirs.close()
            os.close(log_fd)
        return pid, ours, logs

    def kill(self, pid: int) -> None:
        if self.control is None:
            return  # stopped: the zygote killed every worker on its way out
        with contextlib.suppress(OSError, BlockingIOError):
            socket.send_fds(self.control, [json.dumps({"op": "kill", "pid": pid}).encode()], [])

    async def exit_status(self, pid: int, wait: float) -> int | None:
        """How worker `pid` ended (`os.waitstatus_to_exitcode`), if known within `wait` s."""
        if pid in self._statuses:
            return self._statuses.pop(pid)
        future = self._waiters[pid] = asyncio.get_running_loop().create_future()
        try:
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            return None
        finally:
            self._waiters.pop(pid, None)

    async def _send(self, message: Mapping[str, Any], fds: list[int]) -> None:
        if self.control is None:
            raise RuntimeBusy("the worker zygote is not running")
        data = json.dumps(message).encode()
        while True:
            try:
                socket.send_fds(self.control, [data], fds)
                return
            except BlockingIOError:
                await asyncio.sleep(0.001)
            except OSError as error:
                raise RuntimeBusy(f"the worker zygote is gone ({error})") from None

    async def stop(self, wait: float = 5.0) -> None:
        """Close the channel: the zygote kills every worker and what they started, then exits."""
        if self.control is not None:
            self.control.close()
            self.control = None
        if self._reader is not None:
            self._reader.cancel()
        process = self.process
        if process is not None:
            deadline = time.monotonic() + wait
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class WorkerPool:
    """Sealed workers for verified artifacts; see the module docstring."""

    def __init__(self, limits: WorkerLimits | None = None) -> None:
        self.limits = limits or WorkerLimits()
        self.zygote = Zygote()
        self._idle: dict[WorkerKey, list[Worker]] = {}
        self._count: dict[WorkerKey, int] = {}
        self._total = 0
        self._busy = 0
        # Waiters for a worker of one key (at its per-bot limit) wake only for that key;
        # waiters for room (every worker alive and busy) for any release or retirement.
        self._freed: dict[WorkerKey, asyncio.Event] = {}
        self._room = asyncio.Event()
        self._started: asyncio.Task[None] | None = None
        self._janitor: asyncio.Task[None] | None = None
        self._restart = asyncio.Lock()
        self._runs = 0

    @property
    def busy(self) -> int:
        return self._busy

    async def start(self) -> None:
        if self._started is None:
            # Not dumpable: processes of the same user (workers) cannot read this one's
            # memory or /proc environment, where the keys are.
            prctl(PR_SET_DUMPABLE, 0)
            self._started = asyncio.get_running_loop().create_task(self.zygote.start())
            self._janitor = asyncio.get_running_loop().create_task(self._retire_idle())
        await self._started

    async def run(
        self, key: WorkerKey, text: str, payload: Mapping[str, Any], timeout: float
    ) -> BotResult:
        """Run one execution of `key`'s artifact; ArtifactLoadFailed if its code cannot load.
        Every other end (timeout, no worker free in time, exit, crash) is a failed result."""
        await self.start()
        deadline = time.monotonic() + timeout
        token = payload.get("accessToken") if isinstance(payload.get("accessToken"), str) else None
        try:
            worker = await self._acquire(key, text, deadline)
        except RuntimeBusy as busy:
            why = f"bot did not start within its timeout of {timeout:g} s ({busy})"
            return ended(why, "timeout", [], token, "Timed out")
        self._busy += 1
        self._runs += 1
        run = self._runs
        try:
            worker.writer.write(ipc.encode({"run": payload, "id": run}))
            left = max(0.0, deadline - time.monotonic())
            frame = await asyncio.wait_for(ipc.read_frame(worker.reader), left)
        except TimeoutError:
            so_far = logring.read(worker.logs, run).splitlines()
            self._discard(worker, kill=True)
            why = f"bot did not finish within its timeout of {timeout:g} s"
            return ended(why, "timeout", so_far, token, "Timed out")
        except ipc.PeerGone:
            so_far = logring.read(worker.logs, run).splitlines()
            self._discard(worker, kill=True)
            status = await worker.zygote.exit_status(worker.pid, EXIT_WAIT)
            why = describe_exit(status, self.limits.memory_mb)
            return ended(why, "exception", so_far, token)
        except BaseException:
            self._discard(worker, kill=True)  # the request was cancelled (client gone, shutdown)
            raise
        finally:
            self._busy -= 1
        worker.executions += 1
        try:
            done = frame["done"]
            logs = [str(line) for line in done["logs"]]
            result = BotResult(bool(done["ok"]), done["result"], logs, done["outcome"])
        except (KeyError, TypeError):  # the bot wrote on its worker's channel itself
            so_far = logring.read(worker.logs, run).splitlines()
            self._discard(worker, kill=True)
            why = "the bot's worker answered something that is not an execution's result"
            return ended(why, "exception", so_far, token)
        if frame.get("retire") or worker.executions >= self.limits.executions:
            self._discard(worker, kill=False)
        else:
            self._release(worker)
        return result

    async def _acquire(self, key: WorkerKey, text: str, deadline: float) -> Worker:
        while True:
            idle = self._idle.get(key)
            if idle:
                worker = idle.pop()
                if worker.zygote.alive:
                    return worker
                self._discard(worker, kill=False)  # died with its zygote
                continue
            if self._count.get(key, 0) < self.limits.per_bot:
                if self._total >= self.limits.workers:
                    self._evict_one()
                if self._total < self.limits.workers:
                    return await self._spawn(key, text, deadline)
                changed = self._room
            else:
                changed = self._freed.setdefault(key, asyncio.Event())
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeBusy(
                    f"every worker it may have was busy: {self._count.get(key, 0)} of its "
                    f"own, {self._total} in all"
                )
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(changed.wait(), left)

    def _evict_one(self) -> None:
        """Retire the least recently used idle worker (another bot version's)."""
        oldest: Worker | None = None
        for workers in self._idle.values():
            for worker in workers:
                if oldest is None or worker.last_used < oldest.last_used:
                    oldest = worker
        if oldest is not None:
            self._idle[oldest.key].remove(oldest)
            self._discard(oldest, kill=False)

    async def _spawn(self, key: WorkerKey, text: str, deadline: float) -> Worker:
        self._count[key] = self._count.get(key, 0) + 1
        self._total += 1
        pid = 0
        worker: Worker | None = None
        try:
            zygote = await self._live_zygote()
            pid, sock, logs = await zygote.spawn(self.limits.memory_mb)
            reader, writer = await asyncio.open_unix_connection(sock=sock, limit=ipc.MAX_FRAME)
            worker = Worker(key, pid, reader, writer, logs, zygote)
            writer.write(ipc.encode({"load": text, "name": key.bot}))
            left = max(0.001, deadline - time.monotonic())
            answer = await asyncio.wait_for(ipc.read_frame(reader), left)
        except BaseException as error:
            if worker is not None:
                self._discard(worker, kill=True)
            else:
                if pid:
                    self.zygote.kill(pid)
                self._uncount(key)
            if isinstance(error, TimeoutError):
                raise RuntimeBusy("its code did not finish loading") from None
            if isinstance(error, ipc.PeerGone) and worker is not None:
                status = await worker.zygote.exit_status(pid, EXIT_WAIT)
                why = describe_exit(status, self.limits.memory_mb)
                raise ArtifactLoadFailed(f"bot {key.bot!r} failed to load: {why}") from None
            raise
        if "broken" in answer:
            self._discard(worker, kill=True)
            raise ArtifactLoadFailed(f"bot {key.bot!r} failed to load: {answer['broken']}")
        return worker

    async def _live_zygote(self) -> Zygote:
        """The zygote, started again if it died (a bot can kill it: same user)."""
        async with self._restart:
            if not self.zygote.alive:
                log.error("the worker zygote ended; starting a new one")
                dead, self.zygote = self.zygote, Zygote()
                await dead.stop(wait=0)
                await self.zygote.start()
            return self.zygote

    def _release(self, worker: Worker) -> None:
        worker.last_used = time.monotonic()
        self._idle.setdefault(worker.key, []).append(worker)
        self._notify(worker.key)

    def _discard(self, worker: Worker, *, kill: bool) -> None:
        worker.writer.close()  # the worker reads the end of its channel and exits
        worker.logs.close()
        if kill:
            worker.zygote.kill(worker.pid)
        self._uncount(worker.key)

    def _uncount(self, key: WorkerKey) -> None:
        self._total -= 1
        self._count[key] -= 1
        if not self._count[key]:
            del self._count[key]
            self._idle.pop(key, None)
        self._notify(key)

    def _notify(self, key: WorkerKey) -> None:
        freed = self._freed.pop(key, None)
        if freed is not None:
            freed.set()
        self._room.set()
        self._room = asyncio.Event()

    async def _retire_idle(self) -> None:
        every = max(0.05, min(self.limits.idle_seconds / 4, 5.0))
        while True:
            await asyncio.sleep(every)
            now = time.monotonic()
            for workers in list(self._idle.values()):
                for worker in list(workers):
                    if now - worker.last_used >= self.limits.idle_seconds:
                        workers.remove(worker)
                        self._discard(worker, kill=False)

    async def close(self) -> None:
        if self._janitor is not None:
            self._janitor.cancel()
        if self._started is not None:
            with contextlib.suppress(Exception):
                await self._started
            await self.zygote.stop()


def describe_exit(status: int | None, memory_mb: int) -> str:
    """What ended a worker, for the execution's outcome."""
    if status is None:
        return "the bot's worker process ended without an answer"
    if status >= 0:
        return (
            f"the bot ended its worker process (exit status {status}: os._exit, "
            "or a crash) before answering"
        )
    try:
        name = signal.Signals(-status).name
    except ValueError:
        name = f"signal {-status}"
    hint = f" (over its memory limit of {memory_mb} MB?)" if name == "SIGKILL" else ""
    return f"the bot's worker process was killed by {name}{hint} before answering"
