"""Fixtures of the template's tests: the default project, rendered once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.template import render


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default project (with the optional sync examples) rendered for this session.

    Treat it as read-only; tests that change files render their own copy.
    """
    return render(tmp_path_factory.mktemp("default"), include_sync_examples=True)
