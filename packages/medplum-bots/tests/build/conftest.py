"""Fixtures shared by the build tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from medplum_bots.build.loader import forget_artifacts


@pytest.fixture
def isolated_imports() -> Iterator[None]:
    """Let a test load artifacts whose `bots`/`shared` differ from other tests' ones."""
    saved = {n: m for n, m in sys.modules.items() if n.partition(".")[0] in ("bots", "shared")}
    for name in saved:
        del sys.modules[name]
    forget_artifacts()
    yield
    forget_artifacts()
    for name in [n for n in sys.modules if n.partition(".")[0] in ("bots", "shared")]:
        del sys.modules[name]
    sys.modules.update(saved)
