"""medplum_bots: the tooling behind this repository (client, runtime, bundler, deployer).

Bots import `MedplumClient` (or `AsyncMedplumClient`) and `BotEvent` from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medplum_bots.client import AsyncMedplumClient, MedplumClient
from medplum_bots.errors import OperationOutcomeError
from medplum_bots.event import BotEvent, Headers

if TYPE_CHECKING:
    from medplum_bots.testing.inmemory import InMemoryMedplum

__all__ = [
    "AsyncMedplumClient",
    "BotEvent",
    "Headers",
    "InMemoryMedplum",
    "MedplumClient",
    "OperationOutcomeError",
]


def __getattr__(name: str) -> Any:
    # The in-memory server (and its search tables) is for tests and local runs: keep it out of
    # a deployed bot's cold start.
    if name == "InMemoryMedplum":
        from medplum_bots.testing.inmemory import InMemoryMedplum

        return InMemoryMedplum
    raise AttributeError(f"module 'medplum_bots' has no attribute {name!r}")
