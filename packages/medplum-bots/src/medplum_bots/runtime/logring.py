"""A worker's log text in memory shared with the supervisor, so it survives the worker.

Each worker gets its own shared mapping (a memfd). The worker appends every write of the
current execution to it, with no system call; the supervisor reads it only when it has to
answer without the worker (timeout kill, exit, crash). The answer of an execution that ends
normally carries its logs itself. Sending each write as a frame instead cost three frames per
hello-bot execution; batching them lost what a bot printed just before `os._exit` or a crash.

Layout: execution id (u32), bytes written in this execution (u64), then a ring of text: when
more than the ring holds was written, the latest part is kept (Medplum keeps the end of a
bot's output too). Only this worker's own executions are in it: a bot can scribble on its
own logs, nothing else.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
import tempfile
import threading

HEADER = struct.Struct("<IQ")
DEFAULT_BYTES = 256 * 1024


def shared_memory(size: int = DEFAULT_BYTES) -> tuple[int, mmap.mmap]:
    """A fresh shared mapping and its file descriptor (to hand to a worker)."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("medplum-bots-logs", os.MFD_CLOEXEC)
    else:  # no memfd (macOS): an unlinked temporary file does the same
        with tempfile.TemporaryFile() as file:
            fd = os.dup(file.fileno())
    os.ftruncate(fd, size)
    return fd, mmap.mmap(fd, size)


class LogRing:
    """The worker's side: `begin(run)` then `write(text)` for each piece of output."""

    def __init__(self, memory: mmap.mmap) -> None:
        self.memory = memory
        self.capacity = len(memory) - HEADER.size
        self.run = 0
        self.written = 0
        self.lock = threading.Lock()

    def begin(self, run: int) -> None:
        with self.lock:
            self.run, self.written = run, 0
            HEADER.pack_into(self.memory, 0, run, 0)

    def write(self, text: str) -> None:
        data = text.encode("utf-8", "replace")
        with self.lock:
            if len(data) > self.capacity:
                self.written += len(data) - self.capacity
                data = data[-self.capacity :]
            start = self.written % self.capacity
            first = min(len(data), self.capacity - start)
            base = HEADER.size
            self.memory[base + start : base + start + first] = data[:first]
            if first < len(data):
                self.memory[base : base + len(data) - first] = data[first:]
            self.written += len(data)
            HEADER.pack_into(self.memory, 0, self.run, self.written)


def read(memory: mmap.mmap, run: int) -> str:
    """The supervisor's side: the text execution `run` wrote (its latest part), or ""."""
    with contextlib.suppress(ValueError, struct.error):
        found, written = HEADER.unpack_from(memory, 0)
        if found != run:
            return ""
        capacity = len(memory) - HEADER.size
        ring = memory[HEADER.size :]
        if written <= capacity:
            data = ring[:written]
        else:
            start = written % capacity
            data = ring[start:] + ring[:start]
        return data.decode("utf-8", "replace")
    return ""
