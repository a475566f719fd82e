"""What a runtime offers bots, for `invoke deploy` to check before it reports `deployed`."""

from __future__ import annotations

import functools
import platform
import re
from importlib import metadata
from typing import Any

from medplum_bots.build.loader import ARTIFACT_FORMAT

TOOLING = "medplum-bots"


def normalize(name: str) -> str:
    """PEP 503 name normalisation (`Foo_Bar` -> `foo-bar`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _distributions() -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.name
        if name:
            found.setdefault(normalize(name), dist.version)
    return dict(sorted(found.items()))


def capabilities() -> dict[str, Any]:
    """`{tooling, python, artifactFormat, distributions}` of this process."""
    distributions = _distributions()
    return {
        "tooling": distributions.get(TOOLING, "unknown"),
        "python": platform.python_version(),
        "artifactFormat": ARTIFACT_FORMAT,
        "distributions": distributions,
    }
