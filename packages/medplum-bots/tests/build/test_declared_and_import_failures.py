"""Third-party imports are checked against pyproject.toml; a bot failing at import time is
one line naming its file and line (issue #12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medplum_bots.build.loader import ArtifactError, forget_artifacts, load_artifact
from medplum_bots.errors import BuildError
from tests.build.projects import build, make_project

HANDLER = "def handler(medplum, event):\n    return True\n"
PYPROJECT = """
    [project]
    name = "my-bots"
    version = "0.1.0"
    dependencies = ["medplum-bots[http]", "jsonpatch>=1"]

    [project.optional-dependencies]
    dev = ["pytest>=8"]
"""


def _project(tmp_path: Path, bot: str, pyproject: str | None = PYPROJECT) -> Path:
    files = {"src/bots/__init__.py": "", "src/bots/alpha.py": bot}
    if pyproject is not None:
        files["pyproject.toml"] = pyproject
    return make_project(tmp_path, files, ["alpha"])


def test_an_undeclared_import_is_one_line_with_file_line_and_fix(tmp_path: Path) -> None:
    root = _project(tmp_path, "import json\n\nimport requestz\n" + HANDLER)

    with pytest.raises(BuildError) as caught:
        build(root)

    assert str(caught.value) == (
        "src/bots/alpha.py:3: imports 'requestz', which pyproject.toml does not declare (no "
        "installed package provides 'requestz': a typo?); add \"requestz\" to "
        "[project].dependencies in pyproject.toml and install it"
    )
    assert not (root / "dist").exists()


@pytest.mark.parametrize(("module", "dist"), [("jwt", "PyJWT"), ("sklearn", "scikit-learn")])
def test_an_uninstalled_import_is_named_by_its_distribution(
    tmp_path: Path, module: str, dist: str
) -> None:
    root = _project(tmp_path, f"import {module}\n" + HANDLER)

    with pytest.raises(BuildError) as caught:
        build(root)

    assert str(caught.value) == (
        f"src/bots/alpha.py:1: imports {module!r}, which pyproject.toml does not declare "
        f"({module!r} comes from the distribution {dist!r}, which is not installed); "
        f'add "{dist}" to [project].dependencies in pyproject.toml and install it'
    )


def test_declared_imports_and_what_they_bring_are_accepted(tmp_path: Path) -> None:
    # jsonpatch is declared; httpx comes with medplum-bots; pytest is an optional dependency.
    bot = "import httpx\nimport jsonpatch\nimport pytest\n" + HANDLER
    artifacts = build(_project(tmp_path, bot))

    assert {r.split("==")[0].lower() for r in artifacts["alpha"].requirements} == {
        "httpx",
        "jsonpatch",
        "pytest",
    }


def test_an_installed_but_undeclared_package_is_refused(tmp_path: Path) -> None:
    # boto3 is installed here (medplum-bots[aws]) but the project does not declare the extra.
    root = _project(tmp_path, "def handler(medplum, event):\n    import boto3\n    return 1\n")

    with pytest.raises(BuildError) as caught:
        build(root)

    assert str(caught.value).startswith(
        "src/bots/alpha.py:2: imports 'boto3', which pyproject.toml does not declare; "
        'add "boto3" to [project].dependencies'
    )


def test_without_a_pyproject_nothing_is_checked(tmp_path: Path) -> None:
    assert build(_project(tmp_path, "import requestz\n" + HANDLER, pyproject=None))


def test_an_error_at_import_time_is_one_line_with_the_bots_file_and_line(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, "import json\n\nSETTINGS = json.loads('{')\n" + HANDLER)
    build(root)
    try:
        with pytest.raises(ArtifactError) as caught:
            load_artifact(root / "dist/bots/alpha.py")
    finally:
        forget_artifacts()

    message = str(caught.value)
    assert message.startswith("src/bots/alpha.py:3: importing the bot failed: JSONDecodeError: ")
    assert "\n" not in message


def test_a_missing_third_party_module_at_import_time_says_what_to_do(tmp_path: Path) -> None:
    root = _project(tmp_path, "import requestz\n" + HANDLER, pyproject=None)
    build(root)
    try:
        with pytest.raises(ArtifactError) as caught:
            load_artifact(root / "dist/bots/alpha.py")
    finally:
        forget_artifacts()

    assert str(caught.value) == (
        "src/bots/alpha.py:1: importing the bot failed: ModuleNotFoundError: No module named "
        "'requestz' (add the package providing 'requestz' to pyproject.toml dependencies, "
        "install it)"
    )
