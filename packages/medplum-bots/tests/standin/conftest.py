"""Fixtures for the stand-in's own tests."""

from medplum_standin.fixtures import medplum_standin

__all__ = ["medplum_standin"]
