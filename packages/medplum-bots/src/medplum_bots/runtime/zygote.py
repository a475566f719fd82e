"""The template process sealed workers are forked from (`python -m medplum_bots.runtime.zygote`).

The supervisor starts it with `subprocess` (a fresh interpreter: nothing of the supervisor's
memory, a scrubbed environment from `worker_environment`, a fresh temporary directory as its
working directory, no file descriptor but its control socket). It imports what every bot
needs once (the client, httpx, the loader, a loaded CA bundle), then forks one worker per
request, so a worker starts in about a millisecond instead of the ~150 ms of an interpreter
importing httpx.

Control channel (a SOCK_SEQPACKET socketpair, one JSON message per packet):
- `{"op": "spawn", "memory_mb": N}` with the worker's end of a fresh socketpair and its
  shared log memory attached (SCM_RIGHTS) -> `{"op": "spawned", "pid": P}`; answers come
  in request order.
- `{"op": "kill", "pid": P}`: SIGKILL to the worker's process group.
- the zygote sends `{"op": "exited", "pid": P, "status": S}` when a worker ends (S as
  `os.waitstatus_to_exitcode`: negative = killed by that signal).
- end of the channel (the supervisor stopped or died): every worker and everything they
  started is killed, the temporary directory removed, and the zygote exits.

Each worker runs in its own session and process group (killed as a group), with
PR_SET_PDEATHSIG, RLIMIT_AS and its own empty working directory. The zygote is a child
subreaper: a process a bot started that outlives its parent is re-parented here and killed.
The zygote and its workers are not dumpable (PR_SET_DUMPABLE 0): another process of the same
user cannot ptrace them or read their /proc memory and environment.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import mmap
import os
import resource
import selectors
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Mapping, Sequence

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
MAX_PACKET = 65536
# What a worker keeps of the supervisor's environment: how to find Python, its packages, CA
# certificates, proxies and the locale. Never the runtime's settings (MEDPLUM_BOTS_*), never
# credentials.
KEPT_VARIABLES = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
)


PROJECT_MARKERS = (".env", "medplum.config.json")


def worker_environment(
    environ: Mapping[str, str], home: str, path: Sequence[str] = ()
) -> dict[str, str]:
    """The environment the zygote (and so every worker) starts with.

    `path` (the supervisor's `sys.path`) becomes PYTHONPATH, so workers import the same
    packages (a Lambda's task root, for one). Left out: the supervisor's working directory
    and any project directory (one with a `.env` or `medplum.config.json`): a worker is not
    told where the project's secrets are.
    """
    kept = {name: environ[name] for name in KEPT_VARIABLES if name in environ}
    here = os.getcwd()
    entries = [entry for entry in path if entry and entry != here and _harmless(entry)]
    if entries:
        kept["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(entries))
    # Two malloc arenas: each thread's own 64 MB arena reservation would count against
    # RLIMIT_AS (the memory limit is on address space).
    return {**kept, "HOME": home, "TMPDIR": home, "MALLOC_ARENA_MAX": "2"}


def _harmless(entry: str) -> bool:
    if not os.path.isdir(entry):
        return False
    return not any(os.path.exists(os.path.join(entry, name)) for name in PROJECT_MARKERS)


def prctl(option: int, value: int) -> bool:
    """Linux prctl(2); False where it is unavailable (then the guarantee is documented off)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def preload() -> None:
    """Import and initialise what a worker needs, so forked workers start with it."""
    import asyncio  # noqa: F401

    import httpx  # noqa: F401

    import medplum_bots
    import medplum_bots.client  # noqa: F401
    from medplum_bots.runtime import adapter, worker  # noqa: F401

    adapter.DEFAULT_POOL.ssl_context()


class Zygote:
    def __init__(self, control: socket.socket, root: str) -> None:
        self.control = control
        self.root = root
        self.workers: dict[int, str] = {}  # pid -> working directory
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        self.count = 0

    def serve(self) -> None:
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: None)  # the channel's end stops us
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.set_wakeup_fd(self.wake_w)
        self.selector.register(self.control, selectors.EVENT_READ, "control")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "child")
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.data == "child":
                        with contextlib.suppress(BlockingIOError):
                            os.read(self.wake_r, 4096)
                        self.reap()
                    elif not self.command():
                        return
        finally:
            self.stop()

    def command(self) -> bool:
        try:
            data, fds, _, _ = socket.recv_fds(self.control, MAX_PACKET, 2)
        except (ConnectionError, OSError):
            return False
        if not data:
            return False
        message = json.loads(data)
        if message.get("op") == "spawn" and len(fds) == 2:
            try:
                pid = self.spawn(fds[0], fds[1], int(message.get("memory_mb") or 0))
            except OSError as error:  # fork refused (process or memory limits)
                self.send({"op": "spawned", "pid": 0, "error": str(error)})
            else:
                self.send({"op": "spawned", "pid": pid})
        elif message.get("op") == "kill":
            self.kill(int(message["pid"]))
        for fd in fds:
            os.close(fd)
        return True

    def send(self, message: object) -> None:
        with contextlib.suppress(OSError):
            self.control.sendall(json.dumps(message).encode())

    def spawn(self, fd: int, log_fd: int, memory_mb: int) -> int:
        self.count += 1
        workdir = os.path.join(self.root, f"w{self.count}")
        os.mkdir(workdir, 0o700)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                self.become_worker(parent, workdir, memory_mb)
                from medplum_bots.runtime.worker import serve

                logs = mmap.mmap(log_fd, 0)
                os.close(log_fd)
                code = serve(socket.socket(fileno=fd), logs, memory_mb)
            finally:
                os._exit(code)
        self.workers[pid] = workdir
        return pid

    def become_worker(self, parent: int, workdir: str, memory_mb: int) -> None:
        os.setsid()  # its own process group: killed as one, with whatever it starts
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)  # the zygote died while forking
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)
        self.selector.close()
        self.control.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        os.close(null)
        os.chdir(workdir)
        if memory_mb > 0:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def kill(self, pid: int) -> None:
        if pid in self.workers:  # not reaped yet: the pid (and group id) is still its own
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def reap(self) -> None:
        while True:
            try:
                # WNOWAIT: the zombie keeps its pid, so the group kill cannot hit a newcomer.
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                info = None
            if info is None:
                break
            pid = info.si_pid
            if pid in self.workers:
                self.kill(pid)  # what it started in its group dies with it
            _, status = os.waitpid(pid, 0)
            workdir = self.workers.pop(pid, None)
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
                self.send({"op": "exited", "pid": pid, "status": os.waitstatus_to_exitcode(status)})
        self.kill_orphans()

    def kill_orphans(self) -> None:
        """Kill processes bots started that outlived their parent (re-parented to us)."""
        me = os.getpid()
        for pid in adopted(me):
            if pid not in self.workers:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        for pid in list(self.workers):
            self.kill(pid)
        # Kill and reap until nothing is left: each death may re-parent more processes here.
        for _ in range(1000):
            self.kill_orphans()
            try:
                pid, _ = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            self.workers.pop(pid, None)
        shutil.rmtree(self.root, ignore_errors=True)


def adopted(parent: int) -> list[int]:
    """Pids whose parent is `parent` (read from /proc; empty where there is none)."""
    found: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(entry))
    return found


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    supervisor = os.getppid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != supervisor:
        sys.exit(1)
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    root = tempfile.mkdtemp(prefix="medplum-bots-workers-")
    os.chdir(root)
    preload()
    import gc

    gc.freeze()  # objects made so far stay shared with the workers (copy-on-write)
    try:
        Zygote(control, root).serve()
    except OSError as error:
        if error.errno != errno.EBADF:
            raise


if __name__ == "__main__":
    main()
