"""The stand-in's resource store: current versions, history, Binary content, per project.

Resources are kept by `(resourceType, id)` like Medplum's tables; each carries
`meta.project`, and every read or search made with a token is limited to that token's
project (a token of project A cannot see project B's Bots).
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Resource = dict[str, Any]

# Fields the server owns in `meta`; a client's values are replaced on every write.
_SERVER_META = ("versionId", "lastUpdated", "project", "author")


def now_iso() -> str:
    """The current instant as FHIR `instant` text with milliseconds, like Medplum writes it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    """A fresh resource or version id (Medplum uses UUIDs for both)."""
    return str(uuid.uuid4())


@dataclass
class _Entry:
    current: Resource
    seq: int
    history: list[Resource] = field(default_factory=list)
    deleted: bool = False


class NotFound(Exception):
    """No such resource (in the caller's project)."""


class Gone(Exception):
    """The resource was deleted."""


class Store:
    """In-memory resources with versions; all methods are thread-safe and return copies."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._binary: dict[str, bytes] = {}
        self._sequence = 0

    # -- writes -----------------------------------------------------------------------
    def create(
        self,
        resource: Resource,
        project_id: str,
        author: str | None = None,
        *,
        id: str | None = None,
    ) -> Resource:
        """Store a new resource (a fresh id unless `id` is given) and return it with meta."""
        with self.lock:
            stored = copy.deepcopy(resource)
            stored["id"] = id or new_id()
            key = (stored["resourceType"], stored["id"])
            if key in self._entries and not self._entries[key].deleted:
                raise ValueError(f"{key[0]}/{key[1]} already exists")
            seq = self._stamp(stored, project_id, author)
            entry = _Entry(current=stored, seq=seq, history=[copy.deepcopy(stored)])
            self._entries[key] = entry
            return copy.deepcopy(stored)

    def update(self, resource: Resource, project_id: str, author: str | None = None) -> Resource:
        """Replace the current version (no new version when nothing but meta changed)."""
        with self.lock:
            entry = self._live_entry(resource["resourceType"], resource["id"], project_id)
            if _content(entry.current) == _content(resource) and _user_meta(
                entry.current
            ) == _user_meta(resource):
                return copy.deepcopy(entry.current)
            stored = copy.deepcopy(resource)
            entry.seq = self._stamp(stored, project_id, author)
            entry.current = stored
            entry.history.append(copy.deepcopy(stored))
            return copy.deepcopy(stored)

    def delete(self, resource_type: str, id: str, project_id: str) -> Resource:
        """Mark a resource deleted; returns its last version."""
        with self.lock:
            entry = self._live_entry(resource_type, id, project_id)
            entry.deleted = True
            return copy.deepcopy(entry.current)

    def put_binary_content(self, binary_id: str, content: bytes) -> None:
        """Keep the raw bytes of a Binary (Medplum keeps them in object storage)."""
        with self.lock:
            self._binary[binary_id] = content

    # -- reads ------------------------------------------------------------------------
    def read(self, resource_type: str, id: str, project_id: str | None = None) -> Resource:
        """The current version; `project_id=None` reads across projects (test helpers)."""
        with self.lock:
            return copy.deepcopy(self._live_entry(resource_type, id, project_id).current)

    def get(self, resource_type: str, id: str) -> Resource | None:
        """Test helper: the current version of a live resource in any project, or None."""
        with self.lock:
            entry = self._entries.get((resource_type, id))
            if entry is None or entry.deleted:
                return None
            return copy.deepcopy(entry.current)

    def history(self, resource_type: str, id: str) -> list[Resource]:
        """Test helper: every stored version, oldest first."""
        with self.lock:
            entry = self._entries.get((resource_type, id))
            return copy.deepcopy(entry.history) if entry else []

    def binary_content(self, binary_id: str) -> bytes:
        """Raw bytes of a Binary (empty when it has none)."""
        with self.lock:
            return self._binary.get(binary_id, b"")

    def all(self, resource_type: str, project_id: str | None = None) -> list[Resource]:
        """Live resources of a type, in creation order (`project_id=None`: every project)."""
        with self.lock:
            return [copy.deepcopy(r) for _, r in self._iter(resource_type, project_id)]

    def candidates(self, resource_type: str, project_id: str | None) -> list[tuple[int, Resource]]:
        """(write sequence, copy) of each live resource of a type; the sequence orders
        `_lastUpdated` sorts exactly even when two writes share a millisecond."""
        with self.lock:
            return [(seq, copy.deepcopy(r)) for seq, r in self._iter(resource_type, project_id)]

    def _iter(self, resource_type: str, project_id: str | None) -> Iterator[tuple[int, Resource]]:
        for (kind, _), entry in self._entries.items():
            if kind != resource_type or entry.deleted:
                continue
            if project_id is not None and entry.current["meta"].get("project") != project_id:
                continue
            yield entry.seq, entry.current

    def _live_entry(self, resource_type: str, id: str, project_id: str | None) -> _Entry:
        entry = self._entries.get((resource_type, id))
        if entry is None or (
            project_id is not None and entry.current["meta"].get("project") != project_id
        ):
            raise NotFound(f"{resource_type}/{id}")
        if entry.deleted:
            raise Gone(f"{resource_type}/{id}")
        return entry

    def _stamp(self, resource: Resource, project_id: str, author: str | None) -> int:
        self._sequence += 1
        meta = {k: v for k, v in dict(resource.get("meta") or {}).items() if k not in _SERVER_META}
        meta["versionId"] = new_id()
        meta["lastUpdated"] = now_iso()
        meta["project"] = project_id
        if author:
            meta["author"] = {"reference": author}
        resource["meta"] = meta
        return self._sequence


def _content(resource: Resource) -> Resource:
    return {k: v for k, v in resource.items() if k != "meta"}


def _user_meta(resource: Resource) -> Resource:
    meta = resource.get("meta") or {}
    return {k: v for k, v in meta.items() if k not in _SERVER_META}
