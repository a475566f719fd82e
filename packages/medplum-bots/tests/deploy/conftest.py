"""Fixtures for the deployer's tests: a project and two stand-ins (staging, production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fixtures import medplum_standin  # noqa: F401
from medplum_standin.fleet import Fleet, open_fleet, standard_entries


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    """Three bots, each in staging and production, every Bot already created (ids set)."""
    with ExitStack() as stack:
        fleet = open_fleet(stack, tmp_path / "project")
        fleet.write_config(standard_entries(fleet))
        yield fleet
