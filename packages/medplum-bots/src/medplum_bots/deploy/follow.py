"""`invoke logs --follow`: new executions of one or several bots as Medplum records them.

Each environment is one `Tail`: a search of the Bots' AuditEvents sorted by `_lastUpdated`,
from a cursor. Medplum stamps `lastUpdated` before its transaction commits, so an event can
become visible after a later one; each poll therefore re-reads `OVERLAP` seconds behind the
newest event seen (`_lastUpdated=ge...`) and drops the ids it already showed: no gaps, no
duplicates, also for several events with one timestamp. Pages are followed to the end
(`next` links), in ascending order, so events written meanwhile land on later pages.

Polls back off while nothing happens (0.5 s doubling to 5 s) and come back to 0.5 s with
the first new event. `stop` (a `threading.Event`) ends the loop between polls.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TextIO

import httpx

from medplum_bots.arguments import DEFAULT_HTTP_TIMEOUT
from medplum_bots.client import MedplumClient
from medplum_bots.config import BotEntry, ProjectConfig
from medplum_bots.deploy.remote import LogEntry, _deployed_entry, connect, format_log_entry
from medplum_bots.errors import OperationOutcomeError

OVERLAP = timedelta(seconds=5)
MIN_DELAY = 0.5
MAX_DELAY = 5.0
PAGE_SIZE = 100
# ANSI colours of the header line on a terminal.
_GREEN, _RED, _DIM, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m"


@dataclass(frozen=True)
class Followed:
    """One execution of a followed bot."""

    bot: str  # the config entry's name
    id: str  # the AuditEvent's id
    entry: LogEntry


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _fhir_instant(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Tail:
    """A cursor over the AuditEvents of some Bots of one environment."""

    client: MedplumClient
    bots: dict[str, str]  # "Bot/<id>" -> entry name
    page_size: int = PAGE_SIZE
    cursor: datetime | None = None
    seen: dict[str, datetime] = field(default_factory=dict)

    def recent(self, limit: int) -> list[Followed]:
        """The `limit` newest executions, oldest first; the tail continues after them."""
        query = [*self._entity(), ("_sort", "-_lastUpdated"), ("_count", str(limit))]
        events = self.client.search_resources("AuditEvent", query)[:limit]
        return [f for f in (self._take(e) for e in reversed(events)) if f is not None]

    def poll(self) -> list[Followed]:
        """Executions recorded since the last poll, oldest first."""
        query = [*self._entity(), ("_sort", "_lastUpdated"), ("_count", str(self.page_size))]
        if self.cursor is not None:
            query.append(("_lastUpdated", "ge" + _fhir_instant(self.cursor - OVERLAP)))
        found: list[Followed] = []
        for page in self.client.search_resource_pages("AuditEvent", query):
            found.extend(f for f in (self._take(e) for e in page) if f is not None)
        if self.cursor is not None:
            horizon = self.cursor - OVERLAP
            self.seen = {k: v for k, v in self.seen.items() if v >= horizon}
        return found

    def _entity(self) -> list[tuple[str, str]]:
        return [("entity", ",".join(sorted(self.bots)))]

    def _take(self, event: Mapping[str, Any]) -> Followed | None:
        event_id = str(event.get("id") or "")
        updated = _instant(str((event.get("meta") or {}).get("lastUpdated")))
        if not event_id or event_id in self.seen:
            return None
        self.seen[event_id] = updated
        self.cursor = updated if self.cursor is None else max(self.cursor, updated)
        what = str(((event.get("entity") or [{}])[0].get("what") or {}).get("reference") or "")
        return Followed(self.bots.get(what, what), event_id, LogEntry.from_event(event))


def open_tails(
    config: ProjectConfig,
    entries: Sequence[BotEntry],
    *,
    environ: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = DEFAULT_HTTP_TIMEOUT,
    page_size: int = PAGE_SIZE,
) -> list[Tail]:
    """One tail per environment of `entries` (each must have a Bot id)."""
    by_env: dict[str, list[BotEntry]] = {}
    for entry in entries:
        by_env.setdefault(entry.environment, []).append(_deployed_entry(config, entry.name))
    return [
        Tail(
            connect(config, group[0], environ=environ, transport=transport, timeout=timeout),
            {f"Bot/{e.id}": e.name for e in group},
            page_size,
        )
        for group in by_env.values()
    ]


def follow(
    tails: Iterable[Tail],
    on_entry: Callable[[Followed], None],
    stop: threading.Event,
    *,
    min_delay: float = MIN_DELAY,
    max_delay: float = MAX_DELAY,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Poll every tail until `stop` is set, handing each new execution to `on_entry`.

    A failed poll (the client already retried) is reported to `on_error` and retried with the
    same backoff; 401 and 403 end the loop (credentials will not heal by waiting).
    """
    delay = min_delay
    tails = list(tails)
    while not stop.is_set():
        got = False
        for tail in tails:
            try:
                entries = tail.poll()
            except OperationOutcomeError as error:
                if error.status in (401, 403):
                    raise
                if on_error is not None:
                    on_error(f"polling failed, retrying: {error}")
                continue
            for followed in entries:
                got = True
                on_entry(followed)
        delay = min_delay if got else min(delay * 2, max_delay)
        stop.wait(delay)


class Printer:
    """Prints followed executions: coloured headers on a terminal, plain lines otherwise."""

    def __init__(
        self, stream: TextIO | None = None, colour: bool | None = None, full: bool = False
    ) -> None:
        self.stream = stream or sys.stdout
        self.colour = self.stream.isatty() if colour is None else colour
        self.full = full  # huge logs are cut as `invoke logs` cuts them, unless --full
        self._lock = threading.Lock()

    def __call__(self, followed: Followed) -> None:
        lines = format_log_entry(followed.entry, full=self.full, label=followed.bot)
        if self.colour:
            tint = _GREEN if followed.entry.outcome == "ok" else _RED
            lines[0] = f"{_DIM}{followed.entry.time}{_RESET}  {followed.bot}  {tint}" + (
                f"{followed.entry.outcome}{_RESET}"
            )
        with self._lock:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
