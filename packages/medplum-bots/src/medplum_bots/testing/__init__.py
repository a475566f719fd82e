"""Offline testing of bots: the in-memory Medplum (our `@medplum/mock`) and a way to run a
handler exactly as a deployed bot runs (a Medplum execution payload through the adapter).

    from medplum_bots.testing import InMemoryMedplum, execute_sync, make_payload
"""

from medplum_bots.runtime.adapter import execute_sync, make_payload
from medplum_bots.testing.inmemory import InMemoryMedplum

__all__ = ["InMemoryMedplum", "execute_sync", "make_payload"]
