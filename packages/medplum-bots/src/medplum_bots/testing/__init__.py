"""The in-memory Medplum for offline tests and local runs (our `@medplum/mock`)."""

from medplum_bots.testing.inmemory import InMemoryMedplum

__all__ = ["InMemoryMedplum"]
