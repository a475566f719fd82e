"""Fixtures shared by the runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from medplum_standin import MedplumStandIn

from tests.runtime.generic import open_standin


@pytest.fixture
def standin() -> Iterator[MedplumStandIn]:
    """A loopback Medplum with the runtime tests' project, client and runtime secret."""
    standin = open_standin()
    try:
        yield standin
    finally:
        standin.__exit__(None, None, None)
