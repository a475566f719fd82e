"""The shared log memory a killed worker's logs are read from."""

from __future__ import annotations

import os

from medplum_bots.runtime import logring


def test_the_supervisor_reads_what_the_current_execution_wrote() -> None:
    fd, memory = logring.shared_memory(logring.HEADER.size + 64)
    os.close(fd)  # the mapping stays
    try:
        ring = logring.LogRing(memory)
        ring.begin(7)
        ring.write("first line\n")
        ring.write("second é\n")
        assert logring.read(memory, 7) == "first line\nsecond é\n"
        assert logring.read(memory, 6) == ""  # another execution's id: nothing of it
        ring.begin(8)
        assert logring.read(memory, 8) == ""
    finally:
        memory.close()


def test_past_its_size_the_latest_output_is_kept() -> None:
    fd, memory = logring.shared_memory(logring.HEADER.size + 16)
    os.close(fd)
    try:
        ring = logring.LogRing(memory)
        ring.begin(1)
        ring.write("0123456789")
        ring.write("abcdefghij")
        assert logring.read(memory, 1) == "456789abcdefghij"
        ring.write("x" * 40 + "THE END!")
        assert logring.read(memory, 1) == "xxxxxxxxTHE END!"
    finally:
        memory.close()
