"""Make the default generated project's tooling importable for the template's tests.

The tooling (`medplum_bots`) lives inside the template; tests that exercise it directly
(deploy against the stand-in, runtime, bundler) import it from a project rendered once per
test session.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from tests.template import render

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="mbt-default-"))
DEFAULT_PROJECT = render(_SESSION_DIR, include_sync_examples=True)
sys.path[:0] = [str(DEFAULT_PROJECT / "src"), str(DEFAULT_PROJECT)]


@pytest.fixture(scope="session")
def default_project() -> Path:
    """The default project (with the optional sync examples) rendered for this session.

    Treat it as read-only; tests that change files render their own copy.
    """
    return DEFAULT_PROJECT
