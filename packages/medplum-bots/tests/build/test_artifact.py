"""The artifact: deterministic bytes, readable header, loading (in process and in a fresh one)."""

from __future__ import annotations

import ast
import importlib
import json
import random
import re
import shutil
import sys
import traceback
from pathlib import Path

import pytest

from medplum_bots.build.bundle import string_literal
from medplum_bots.build.loader import (
    ArtifactError,
    artifact_sha256,
    load_artifact,
    load_isolated,
    read_artifact,
)
from tests.build.projects import build, make_project, run_python, tooling_only_path

FILES = {
    "src/bots/__init__.py": '"""Bots."""\n',
    "src/bots/alpha.py": '''
        """Alpha: greets, using the shared helpers."""
        from shared.text import greet

        def handler(medplum, event):
            return greet(event["name"])
    ''',
    "src/bots/beta.py": """
        from shared import text
        from shared.boom import explode

        def handler(medplum, event):
            if event.get("fail"):
                explode()
            return text.greet("beta") + " " + str(text.__name__)
    """,
    "src/shared/__init__.py": "",
    "src/shared/text.py": '''
        """Text helpers with tricky content: \\\\ backslashes, 'quotes', \'\'\'triples\'\'\'."""
        PREFIX = "Hello"

        def greet(name):
            return f"{PREFIX} {name}!"
    ''',
    "src/shared/boom.py": """
        def explode():
            detail = "from the shared module"
            raise ValueError("boom " + detail)
    """,
}


def test_builds_are_byte_identical_across_runs_and_directories(tmp_path: Path) -> None:
    first = make_project(tmp_path / "one", FILES, ["alpha", "beta"])
    artifacts = build(first)
    path = artifacts["alpha"].path
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    manifest = (first / "dist/manifest.json").read_bytes()

    again = build(first)
    assert not again["alpha"].written and artifacts["alpha"].written
    assert path.read_bytes() == data
    assert path.stat().st_mtime_ns == mtime  # unchanged artifacts are not rewritten
    assert (first / "dist/manifest.json").read_bytes() == manifest

    # Another checkout, with Windows newlines: same bytes, same hash.
    second = tmp_path / "elsewhere" / "two"
    shutil.copytree(first / "src", second / "src")
    shutil.copy(first / "medplum.config.json", second)
    crlf = second / "src/shared/text.py"
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
    moved = build(second)
    assert (second / "dist/bots/alpha.py").read_bytes() == data
    assert moved["alpha"].sha256 == artifacts["alpha"].sha256

    # A change in a shared module changes the hash of the bots that import it.
    (second / "src/shared/text.py").write_text('PREFIX = "Hi"\ndef greet(n): return n\n')
    assert build(second)["alpha"].sha256 != artifacts["alpha"].sha256


def test_header_and_manifest_describe_the_artifact(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, ["alpha", "beta"])
    beta = build(root)["beta"]
    text = beta.path.read_text()
    header = text[: text.index("\nfrom medplum_bots.build.loader import install_artifact")]

    assert header.startswith("# Medplum bot artifact: beta\n")
    assert "from src/bots/beta.py" in header
    for module, path in [("shared.boom", "src/shared/boom.py"), ("bots", "src/bots/__init__.py")]:
        assert any(line.split()[-2:] == [module, path] for line in header.splitlines()), module
    assert f"# sha256:       {beta.sha256}" in header
    assert all(line.startswith("#") for line in header.splitlines())
    assert artifact_sha256(text) == beta.sha256
    assert beta.size == len(text.encode())
    ast.parse(text)  # a valid Python module

    manifest = json.loads((root / "dist/manifest.json").read_text())
    record = next(r for r in manifest["artifacts"] if r["name"] == "beta")
    assert record == {
        "name": "beta",
        "source": "src/bots/beta.py",
        "dist": "dist/bots/beta.py",
        "sha256": beta.sha256,
        "size": beta.size,
        "modules": ["bots", "bots.beta", "shared", "shared.boom", "shared.text"],
        "requirements": [],
    }


def test_building_some_bots_keeps_the_others_in_the_manifest(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, ["alpha", "beta"])
    build(root)
    (root / "src/bots/alpha.py").write_text("def handler(medplum, event):\n    return 2\n")
    only = build(root, "alpha-*")

    assert list(only) == ["alpha"]
    manifest = json.loads((root / "dist/manifest.json").read_text())
    assert [r["name"] for r in manifest["artifacts"]] == ["alpha", "beta"]
    assert manifest["artifacts"][0]["sha256"] == only["alpha"].sha256


def test_string_literal_round_trips_any_text() -> None:
    pieces = ['"', "'", "\\", "\n", "\t", "\x00", "\x0c", "\x7f", "a", "é", "{", "\u2028", " "]
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert ast.literal_eval(string_literal(text)) == text, repr(text)
    # Readable: source lines stay lines, docstrings keep their quotes.
    literal = string_literal('"""Doc."""\nx = 1\n')
    assert literal == "'''\\\n\"\"\"Doc.\"\"\"\nx = 1\n'''"


@pytest.mark.usefixtures("isolated_imports")
def test_artifacts_sharing_modules_load_side_by_side(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, ["alpha", "beta"])
    artifacts = build(root)
    alpha = load_artifact(artifacts["alpha"].path)
    beta = load_artifact(artifacts["beta"].path)

    assert alpha.__name__ == "bots.alpha"
    assert alpha.handler(None, {"name": "Ada"}) == "Hello Ada!"
    assert beta.handler(None, {}) == "Hello beta! shared.text"
    assert sys.modules["shared.text"].greet is alpha.greet  # one module, shared
    assert load_artifact(artifacts["alpha"].path) is alpha  # loading again: same module
    shared_text = sys.modules["shared.text"]
    assert not hasattr(shared_text, "__file__")  # not a file: no __file__
    assert shared_text.__spec__ is not None and shared_text.__spec__.origin == "src/shared/text.py"
    assert sys.modules["shared"].__path__ == []  # a package, whose submodules come from here
    assert not (artifacts["alpha"].path.parent / "__pycache__").exists()

    with pytest.raises(ValueError) as caught:
        beta.handler(None, {"fail": True})
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (last.filename, last.lineno, last.name) == ("src/shared/boom.py", 3, "explode")
    assert last.line == 'raise ValueError("boom " + detail)'


@pytest.mark.usefixtures("isolated_imports")
def test_different_sources_for_one_module_name_are_refused(tmp_path: Path) -> None:
    first = make_project(tmp_path / "one", FILES, ["alpha"])
    changed = dict(FILES, **{"src/shared/text.py": "def greet(name):\n    return name\n"})
    second = make_project(tmp_path / "two", changed, ["beta"])
    alpha = build(first)["alpha"]
    beta = build(second)["beta"]
    load_artifact(alpha.path)

    with pytest.raises(ArtifactError) as caught:
        load_artifact(beta.path)
    assert str(caught.value) == (
        "artifact 'beta' embeds module 'shared.text' (src/shared/text.py) with a different "
        "source than artifact 'alpha' already loaded; rebuild both from the same sources"
    )
    assert "bots.beta" not in sys.modules  # nothing of the refused artifact was imported


@pytest.mark.usefixtures("isolated_imports")
def test_a_module_imported_from_a_different_file_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, ["alpha"])
    alpha = build(root)["alpha"]
    (root / "src/shared/text.py").write_text("def greet(name):\n    return name\n")
    sys.path.insert(0, str(root / "src"))
    try:
        # The edited file, imported as a dev server with src/ on its path would.
        assert importlib.import_module("shared.text").greet("x") == "x"
        with pytest.raises(ArtifactError, match=r"a different 'shared.text' is already imported"):
            load_artifact(alpha.path)
    finally:
        sys.path.remove(str(root / "src"))


@pytest.mark.usefixtures("isolated_imports")
def test_one_loader_with_a_shared_or_a_private_module_table(tmp_path: Path) -> None:
    first = make_project(tmp_path / "one", FILES, ["alpha"])
    changed = dict(FILES, **{"src/shared/text.py": "def greet(name):\n    return 'Hi ' + name\n"})
    second = make_project(tmp_path / "two", changed, ["alpha"])
    shared_alpha = load_artifact(build(first)["alpha"].path)
    before = dict(sys.modules)

    text = build(second)["alpha"].path.read_text(encoding="utf-8")
    private = load_isolated(text, "alpha_v2")

    # The other version of `shared.text` lives beside the shared one; sys.modules is untouched.
    assert private.handler(None, {"name": "Ada"}) == "Hi Ada"
    assert shared_alpha.handler(None, {"name": "Ada"}) == "Hello Ada!"
    assert dict(sys.modules) == before
    assert read_artifact(text, "x").entry == "bots.alpha"  # read as data, nothing run


def test_load_artifact_refuses_files_that_are_not_artifacts(tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("def handler(medplum, event): ...\n")
    truncated = tmp_path / "truncated.py"
    truncated.write_text("# Medplum bot artifact: truncated\n# sha256: 00\n")
    for path in (plain, truncated):
        with pytest.raises(
            ArtifactError, match=f"^{re.escape(str(path))}: not a medplum bot artifact"
        ):
            load_artifact(path)
    with pytest.raises(ArtifactError, match="artifact not found"):
        load_artifact(tmp_path / "missing.py")


def test_the_artifact_runs_in_a_fresh_python_with_only_the_tooling(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", FILES, ["alpha", "beta"])
    artifacts = build(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_python(
        f"""
        import importlib.util, sys, traceback
        from pathlib import Path
        assert importlib.util.find_spec("shared") is None  # no source tree on the path
        from medplum_bots.build.loader import load_artifact
        alpha = load_artifact(Path({str(artifacts["alpha"].path)!r}))
        beta = load_artifact(Path({str(artifacts["beta"].path)!r}))
        print(alpha.handler(None, {{"name": "Grace"}}))
        print(beta.handler(None, {{}}))
        try:
            beta.handler(None, {{"fail": True}})
        except ValueError:
            traceback.print_exc(file=sys.stdout)
        """,
        cwd=elsewhere,
        pythonpath=[tooling_only_path(tmp_path)],
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Hello Grace!", "Hello beta! shared.text"]
    assert '  File "src/bots/beta.py", line 6, in handler' in lines
    assert '  File "src/shared/boom.py", line 3, in explode' in lines
    assert '    raise ValueError("boom " + detail)' in lines
    assert lines[-1] == "ValueError: boom from the shared module"


def test_the_artifact_also_works_as_a_plain_module(tmp_path: Path) -> None:
    # The Lambda route ships an artifact as `bot.py` and imports it by name.
    root = make_project(tmp_path / "project", FILES, ["alpha"])
    task_root = tmp_path / "task"
    task_root.mkdir()
    shutil.copy(build(root)["alpha"].path, task_root / "bot.py")
    result = run_python(
        "import bot; print(bot.handler(None, {'name': 'Lambda'}), bot.bot.__name__)",
        cwd=task_root,
        pythonpath=[task_root, tooling_only_path(tmp_path)],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello Lambda! bots.alpha\n"


def test_the_hello_patient_artifact_loads_with_only_the_tooling(
    default_project: Path, tmp_path: Path
) -> None:
    # How fast it loads is measured by bench/bench_runtime.py, not asserted here.
    project = tmp_path / "project"
    shutil.copytree(
        default_project / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(default_project / "medplum.config.json", project)
    artifact = build(project, "my-first-bot-*")["my_first_bot"]
    result = run_python(
        f"""
        from pathlib import Path
        from medplum_bots.build.loader import load_artifact
        bot = load_artifact(Path({str(artifact.path)!r}))
        print(bot.__name__, callable(bot.handler))
        """,
        cwd=tmp_path,
        pythonpath=[tooling_only_path(tmp_path)],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "bots.my_first_bot True\n"
