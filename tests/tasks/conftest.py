"""Fixtures of the task tests."""

from medplum_standin.layers import runtime_layer

__all__ = ["runtime_layer"]
