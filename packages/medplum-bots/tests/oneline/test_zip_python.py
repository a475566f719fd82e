"""`invoke runtime-zip` says which Python it builds for, and not silently another."""

from __future__ import annotations

from pathlib import Path

import pytest

from medplum_bots.build.python_version import zip_python
from medplum_bots.errors import BuildError
from tests.oneline.cli import error_line, invoke

PYPROJECT = '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.12"\n'


def _project(root: Path, pinned: str | None = "3.12\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    if pinned is not None:
        (root / ".python-version").write_text(pinned)
    return root


def test_the_default_is_the_projects_python(tmp_path: Path) -> None:
    assert zip_python(_project(tmp_path / "a", "3.13.1\n"), "") == ("3.13", None)
    assert zip_python(_project(tmp_path / "b", None), "") == ("3.12", None)


def test_another_allowed_python_is_built_with_a_warning(tmp_path: Path) -> None:
    version, warning = zip_python(_project(tmp_path), "3.13")
    assert version == "3.13"
    assert warning == (
        "building for Python 3.13, but the project uses 3.12 (.python-version): its tests ran "
        "on another Python than the zip will; omit --python-version to build for 3.12"
    )


def test_a_python_outside_requires_python_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as caught:
        zip_python(_project(tmp_path), "3.11")
    assert str(caught.value) == (
        "--python-version 3.11 is outside the project's requires-python '>=3.12' "
        "(pyproject.toml): build for 3.12"
    )
    with pytest.raises(BuildError, match=r"must look like 3\.12"):
        zip_python(tmp_path, "python3.12")


def test_the_task_refuses_before_building(tmp_path: Path) -> None:
    root = _project(tmp_path / "project")
    (root / "medplum.config.json").write_text('{"bots": []}')
    done = invoke(root, "runtime-zip", "--python-version", "3.11")
    assert done.returncode == 1
    assert error_line(done).startswith("error: --python-version 3.11 is outside the project's")
    assert not (root / "dist").exists()
