"""medplum_bots: write Medplum bots in Python, test them offline, bundle, run and deploy them.

Bots import `MedplumClient` (or `AsyncMedplumClient`) and `BotEvent` from here; their tests
`InMemoryMedplum`. What generated repositories may use is pinned by
tests/test_public_surface.py; the rest is internal.
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
