"""Deploy progress: one bot at a time, as each one ends, before the final table.

On a terminal a single line is rewritten in place (`[3/50] alpha-staging (staging): deployed`);
anywhere else (CI logs, a pipe) each bot gets its own plain line, which logs keep readable.
Progress goes to stderr so that stdout holds only the table.
"""

from __future__ import annotations

import os
from typing import TextIO

from medplum_bots.deploy.report import BotOutcome


class DeployProgress:
    """An `on_outcome` callback for `deploy`; call `close()` before printing the table."""

    def __init__(self, total: int, stream: TextIO, live: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self._stream = stream
        if live is None:
            live = stream.isatty() and os.environ.get("TERM", "") != "dumb"
        self._live = live

    def __call__(self, outcome: BotOutcome) -> None:
        self.done += 1
        line = (
            f"[{self.done}/{self.total}] {outcome.bot} ({outcome.environment}): "
            f"{outcome.result} in {outcome.seconds:.2f} s"
        )
        if self._live:
            self._stream.write("\r\x1b[K" + line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Clear the live line (plain lines stay)."""
        if self._live and self.done:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
