"""The Medplum client: `MedplumClient` (sync), `AsyncMedplumClient` (async), retries, errors."""

from medplum_bots.client.aio import AsyncMedplumClient
from medplum_bots.client.core import FHIR_JSON, Call, query_pairs
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.client.sync import MedplumClient

__all__ = ["FHIR_JSON", "AsyncMedplumClient", "Call", "MedplumClient", "RetryPolicy", "query_pairs"]
