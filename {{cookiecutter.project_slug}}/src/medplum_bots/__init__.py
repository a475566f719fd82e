"""medplum_bots: the tooling behind this repository (client, runtime, bundler, deployer).

Bots import `MedplumClient` (or `AsyncMedplumClient`) and `BotEvent` from here.
"""

from medplum_bots.client import AsyncMedplumClient, MedplumClient
from medplum_bots.errors import OperationOutcomeError
from medplum_bots.event import BotEvent, Headers
from medplum_bots.inmemory import InMemoryMedplum

__all__ = [
    "AsyncMedplumClient",
    "BotEvent",
    "Headers",
    "InMemoryMedplum",
    "MedplumClient",
    "OperationOutcomeError",
]
