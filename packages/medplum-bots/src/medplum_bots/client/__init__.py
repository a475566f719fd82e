"""The Medplum client: `MedplumClient` (sync), `AsyncMedplumClient` (async), retries, errors."""

from typing import TYPE_CHECKING

from medplum_bots.client.core import FHIR_JSON, Call, query_pairs
from medplum_bots.client.retry import RetryPolicy

if TYPE_CHECKING:
    # Type checkers see the generated subclasses typed per resource type; bots run the
    # implementations (never loading those ~2,000 overloads).
    from medplum_bots.client.typed import AsyncMedplumClient, MedplumClient
else:
    from medplum_bots.client.aio import AsyncMedplumClient
    from medplum_bots.client.sync import MedplumClient

__all__ = ["FHIR_JSON", "AsyncMedplumClient", "Call", "MedplumClient", "RetryPolicy", "query_pairs"]
