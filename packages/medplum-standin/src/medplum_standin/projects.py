"""The stand-in's resources: one `InMemoryMedplum` engine per project.

Storage, versions, history, search and validation are `medplum_bots.testing`'s in-memory
Medplum, so the stand-in and the in-memory server define Medplum's behaviour once. Each project
gets its own engine, which is how Medplum's project isolation looks from outside: a token of
project A never sees project B's resources, and every version carries `meta.project`.

`Projects` is also the inspection API tests use as `standin.store` (`get`, `read`, `all`,
`history`, `binary_content`, `update`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from medplum_bots.testing.inmemory import FhirError, InMemoryMedplum

Resource = dict[str, Any]
Change = Callable[[Resource, str], None]


class Projects:
    """Per-project in-memory engines; `on_change(resource, interaction)` fires Subscriptions."""

    def __init__(self, on_change: Change) -> None:
        self._engines: dict[str, InMemoryMedplum] = {}
        self._on_change = on_change
        self._lock = threading.Lock()
        self._base_url = ""

    def set_base_url(self, base_url: str) -> None:
        """Where the engines' URLs (fullUrl, Location, paging links) point."""
        with self._lock:
            self._base_url = base_url
            for engine in self._engines.values():
                engine.base_url = base_url

    def add(self, project_id: str) -> InMemoryMedplum:
        """The engine of a new project."""
        engine = InMemoryMedplum(
            base_url=self._base_url, project=project_id, on_change=self._on_change
        )
        with self._lock:
            if project_id in self._engines:
                raise ValueError(f"project {project_id!r} already exists")
            self._engines[project_id] = engine
        return engine

    def engine(self, project_id: str) -> InMemoryMedplum:
        """The engine holding a project's resources (`FhirError` 404 for an unknown one)."""
        with self._lock:
            engine = self._engines.get(project_id)
        if engine is None:
            raise FhirError(404, "not-found", f"Project/{project_id} not found")
        return engine

    def _all_engines(self) -> list[InMemoryMedplum]:
        with self._lock:
            return list(self._engines.values())

    # -- writes (through the engine's one write path, which validates) --------------------
    def create(
        self,
        resource: Resource,
        project_id: str,
        author: str | None = None,
        *,
        id: str | None = None,
        validate: bool = True,
        notify: bool = True,
    ) -> Resource:
        """Store a new resource in a project (`FhirError` 400 when Medplum would refuse it)."""
        return self.engine(project_id).create(
            resource, id=id, author=author, validate=validate, notify=notify
        )

    def update(self, resource: Resource, project_id: str, author: str | None = None) -> Resource:
        """Store a new version of a project's resource."""
        return self.engine(project_id).update(resource, author=author)

    # -- reads --------------------------------------------------------------------------
    def read(self, resource_type: str, id: str, project_id: str | None = None) -> Resource:
        """The current version (`project_id=None`: in any project); `FhirError` 404/410."""
        if project_id is not None:
            return self.engine(project_id).read(resource_type, id)
        for engine in self._all_engines():
            if engine.history(resource_type, id):
                return engine.read(resource_type, id)
        raise FhirError(404, "not-found", f"Not found: {resource_type}/{id}")

    def get(self, resource_type: str, id: str) -> Resource | None:
        """The current version of a live resource in any project, or None."""
        for engine in self._all_engines():
            try:
                return engine.read(resource_type, id)
            except FhirError:
                continue
        return None

    def all(self, resource_type: str, project_id: str | None = None) -> list[Resource]:
        """Live resources of a type in creation order (`project_id=None`: every project)."""
        if project_id is not None:
            return self.engine(project_id).all(resource_type)
        return [r for engine in self._all_engines() for r in engine.all(resource_type)]

    def history(self, resource_type: str, id: str) -> list[Resource]:
        """Every stored version, oldest first."""
        for engine in self._all_engines():
            versions = engine.history(resource_type, id)
            if versions:
                return versions
        return []

    def binary_content(self, binary_id: str) -> bytes:
        """Raw bytes of a Binary in any project (empty when it has none)."""
        for engine in self._all_engines():
            if engine.history("Binary", binary_id):
                return engine.binary_content(binary_id)
        return b""
