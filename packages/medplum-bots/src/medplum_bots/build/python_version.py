"""Which Python a Lambda zip is built for, and whether it is the project's.

`invoke runtime-zip` installs compiled packages (pydantic-core, cryptography...) for one Python
version: a zip built for another Python than the one the bots are tested with fails at import
on Lambda, or runs code the project's checks never saw. The project's Python is its
`.python-version` (what the generated repository pins for tools and CI), else the lower bound
of `requires-python` in pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from medplum_bots.errors import BuildError

DEFAULT = "3.12"
MINOR = re.compile(r"(\d+)\.(\d+)")
BOUND = re.compile(r"\s*(>=|>|<=|<|==|~=)\s*(\d+)\.(\d+)")


@dataclass(frozen=True)
class ProjectPython:
    """The project's Python (`version`, "3.12"), where it was read, and `requires-python`."""

    version: str | None
    source: str
    requires: str = ""


def project_python(root: Path) -> ProjectPython:
    """The project's Python, from `.python-version`, else pyproject's `requires-python`."""
    requires = _requires_python(root / "pyproject.toml")
    pinned = root / ".python-version"
    if pinned.is_file():
        found = MINOR.match(pinned.read_text(encoding="utf-8").strip())
        if found:
            return ProjectPython(f"{found[1]}.{found[2]}", ".python-version", requires)
    for clause in requires.split(","):
        bound = BOUND.match(clause)
        if bound and bound[1] in (">=", "==", "~="):
            return ProjectPython(f"{bound[2]}.{bound[3]}", "requires-python", requires)
    return ProjectPython(None, "", requires)


def _requires_python(pyproject: Path) -> str:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    value = data.get("project", {}).get("requires-python", "")
    return value if isinstance(value, str) else ""


def _allows(requires: str, version: str) -> bool:
    """Whether `version` (X.Y) meets each `>=`, `>`, `<=`, `<` bound of `requires`."""
    wanted = tuple(int(part) for part in version.split("."))
    for clause in requires.split(","):
        bound = BOUND.match(clause)
        if not bound:
            continue
        limit = (int(bound[2]), int(bound[3]))
        ok = {
            ">=": wanted >= limit,
            ">": wanted > limit,
            "<=": wanted <= limit,
            "<": wanted < limit,
        }.get(bound[1], True)
        if not ok:
            return False
    return True


def zip_python(root: Path, asked: str) -> tuple[str, str | None]:
    """The Python version to build for and a warning (or None); BuildError when `asked` is
    outside the project's `requires-python` (its bots may not even import there)."""
    project = project_python(root)
    if asked and not MINOR.fullmatch(asked.strip()):
        raise BuildError(f"--python-version must look like 3.12, got {asked!r}")
    version = asked.strip() or project.version or DEFAULT
    if project.requires and not _allows(project.requires, version):
        instead = project.version or "a version it allows"
        raise BuildError(
            f"--python-version {version} is outside the project's requires-python "
            f"{project.requires!r} (pyproject.toml): build for {instead}"
        )
    if project.version and version != project.version:
        return version, (
            f"building for Python {version}, but the project uses {project.version} "
            f"({project.source}): its tests ran on another Python than the zip will; "
            f"omit --python-version to build for {project.version}"
        )
    return version, None
