"""Pytest fixtures for the stand-in; import them into a conftest.py:

from medplum_standin.fixtures import medplum_standin  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from medplum_standin.server import MedplumStandIn

PROJECT_ID = "project-1"
CLIENT_ID = "client-1"
CLIENT_SECRET = "client-secret-1"


@pytest.fixture
def medplum_standin() -> Iterator[MedplumStandIn]:
    """A running stand-in with project `project-1` and admin client `client-1`."""
    with MedplumStandIn() as standin:
        standin.add_project(PROJECT_ID)
        standin.add_client(CLIENT_ID, CLIENT_SECRET, PROJECT_ID)
        yield standin
