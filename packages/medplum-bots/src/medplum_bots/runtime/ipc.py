"""Frames between the runtime's supervisor, its zygote and its workers: 4-byte length + JSON.

Standard library only (the worker side runs in every sealed worker). Payloads are JSON
because the execution payload and `BotResult.to_json()` already are; a length prefix because
socket streams have no message boundaries. Measured cost of one round trip over a socketpair
with a hello-bot payload: BENCHMARKS.md (runtime section).
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # a frame larger than this is a broken peer, not a message


class PeerGone(Exception):
    """The other end closed the channel (or sent something that is not a frame)."""


def encode(message: Any) -> bytes:
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    return HEADER.pack(len(data)) + data


def _decode(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PeerGone("malformed frame") from None


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise PeerGone("channel closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> Any:
    """The next message on a blocking socket; PeerGone at end of stream."""
    (size,) = HEADER.unpack(recv_exactly(sock, HEADER.size))
    if size > MAX_FRAME:
        raise PeerGone("frame too large")
    return _decode(recv_exactly(sock, size))


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next message from an asyncio stream; PeerGone at end of stream."""
    try:
        (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
        if size > MAX_FRAME:
            raise PeerGone("frame too large")
        return _decode(await reader.readexactly(size))
    except (asyncio.IncompleteReadError, ConnectionError):
        raise PeerGone("channel closed") from None
