"""Bundling failures: one line with file:line and the import chain; cycles judged like Python."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medplum_bots.errors import BuildError
from tests.build.projects import build, make_project, run_python, tooling_only_path

HANDLER = "def handler(medplum, event):\n    return True\n"


def _error(tmp_path: Path, files: dict[str, str]) -> str:
    root = make_project(
        tmp_path, {"src/bots/__init__.py": "", "src/shared/__init__.py": "", **files}, ["alpha"]
    )
    with pytest.raises(BuildError) as caught:
        build(root)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_local_module_names_file_line_and_chain(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "import shared.a\n" + HANDLER,
            "src/shared/a.py": "import json\n\nfrom shared.missing import thing\n",
        },
    )
    assert message == (
        "src/shared/a.py:3: cannot import 'shared.missing': no such module in src/ "
        "(bots.alpha -> shared.a -> shared.missing)"
    )


def test_missing_name_in_a_local_module_is_reported(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "from shared.a import helpr\n" + HANDLER,
            "src/shared/a.py": "def helper(): ...\n",
        },
    )
    assert message == (
        "src/bots/alpha.py:1: cannot import name 'helpr' from 'shared.a' (src/shared/a.py) "
        "(bots.alpha -> shared.a)"
    )


def test_syntax_error_names_file_line_and_chain(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "from shared import a\n" + HANDLER,
            "src/shared/a.py": "X = 1\ndef broken(:\n    pass\n",
        },
    )
    assert message.startswith("src/shared/a.py:2: syntax error: ")
    assert message.endswith("(bots.alpha -> shared.a)")


def test_relative_import_beyond_the_top_package_is_reported(tmp_path: Path) -> None:
    message = _error(tmp_path, {"src/bots/alpha.py": "from ..shared import a\n" + HANDLER})
    assert message.startswith("src/bots/alpha.py:1: relative import beyond the top-level package")
    assert message.endswith("(bots.alpha)")


def test_a_bot_without_handler_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, {"src/bots/alpha.py": "def handle(medplum, event): ...\n"})
    assert message.startswith("src/bots/alpha.py:1: the bot defines no top-level 'handler'")


def test_fatal_cycle_message(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "from shared.a import helper\n" + HANDLER,
            "src/shared/a.py": "from shared.b import other\n\ndef helper(): ...\n",
            "src/shared/b.py": "from shared.a import helper\n\ndef other(): ...\n",
        },
    )
    assert message == (
        "src/shared/b.py:1: import cycle: 'shared.b' imports 'helper' from 'shared.a', which "
        "is still initialising and has not defined it yet; import it inside the function that "
        "uses it (bots.alpha -> shared.a -> shared.b -> shared.a)"
    )


# Cycle shapes: (files under src/shared, does Python import them?). The bundler must agree
# with Python itself: it refuses exactly the cycles that fail at import time.
CYCLES = {
    "module-objects": (
        {
            "a.py": "import shared.b\n\ndef helper():\n    return shared.b.other() + 1\n",
            "b.py": "import shared.a\n\ndef other():\n    return 1\n",
        },
        True,
    ),
    "name-bound-before-the-cycle": (
        {
            "a.py": "def helper():\n    return other() + 1\n\nfrom shared.b import other\n",
            "b.py": "from shared.a import helper\n\ndef other():\n    return 1\n",
        },
        True,
    ),
    "name-bound-after-the-cycle": (
        {
            "a.py": "from shared.b import other\n\ndef helper():\n    return other() + 1\n",
            "b.py": "from shared.a import helper\n\ndef other():\n    return 1\n",
        },
        False,
    ),
    "import-deferred-to-a-function": (
        {
            "a.py": "from shared.b import other\n\ndef helper():\n    return other() + 1\n",
            "b.py": "def other():\n    from shared.a import helper\n    return 1\n",
        },
        True,
    ),
    "submodule-from-its-package": (
        {
            "__init__.py": "from shared.a import helper\n",
            "a.py": "from shared import b\n\ndef helper():\n    return b.other() + 1\n",
            "b.py": "from shared import a\n\ndef other():\n    return 1\n",
        },
        True,
    ),
    "package-name-not-yet-bound": (
        {
            "__init__.py": "from shared.a import helper\n\nVERSION = 2\n",
            "a.py": "from shared import VERSION\n\ndef helper():\n    return VERSION\n",
        },
        False,
    ),
    "optional-import-in-a-cycle": (
        {
            "a.py": "from shared.b import other\n\ndef helper():\n    return other() + 1\n",
            "b.py": (
                "try:\n    from shared.a import helper\nexcept ImportError:\n    helper = None\n"
                "\ndef other():\n    return 1\n"
            ),
        },
        True,
    ),
}


@pytest.mark.parametrize("shape", sorted(CYCLES))
def test_cycles_are_refused_exactly_when_python_fails_to_import_them(
    tmp_path: Path, shape: str
) -> None:
    shared, python_imports_it = CYCLES[shape]
    files = {f"src/shared/{name}": text for name, text in shared.items()}
    files.setdefault("src/shared/__init__.py", "")
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/bots/alpha.py": (
                "from shared.a import helper\n\ndef handler(medplum, event):\n    return helper()\n"
            ),
            **files,
        },
        ["alpha"],
    )
    from_source = run_python(
        "import bots.alpha; print(bots.alpha.handler(None, None))",
        cwd=tmp_path,
        pythonpath=[root / "src"],
    )
    assert (from_source.returncode == 0) is python_imports_it, from_source.stderr

    if not python_imports_it:
        with pytest.raises(BuildError) as caught:
            build(root)
        # The same statement Python's traceback ends at, and the same missing name.
        last_frame = re.findall(r'File "[^"]*/(src/[^"]+)", line (\d+)', from_source.stderr)[-1]
        name = re.search(r"cannot import name '(\w+)'", from_source.stderr)
        assert name is not None, from_source.stderr
        assert str(caught.value).startswith(f"{last_frame[0]}:{last_frame[1]}: import cycle: "), (
            str(caught.value),
            from_source.stderr,
        )
        assert f"imports {name.group(1)!r} from" in str(caught.value)
        return
    artifact = build(root)["alpha"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from_artifact = run_python(
        f"""
        from pathlib import Path
        from medplum_bots.build.loader import load_artifact
        print(load_artifact(Path({str(artifact.path)!r})).handler(None, None))
        """,
        cwd=elsewhere,
        pythonpath=[tooling_only_path(tmp_path)],
    )
    assert from_artifact.returncode == 0, from_artifact.stderr
    assert from_artifact.stdout == from_source.stdout


def test_class_attributes_are_not_module_names(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "from shared.a import LIMIT\n" + HANDLER,
            "src/shared/a.py": "class Settings:\n    LIMIT = 3\n",
        },
    )
    assert message.startswith("src/bots/alpha.py:1: cannot import name 'LIMIT' from 'shared.a'")


def test_a_failed_build_writes_nothing(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/bots/alpha.py": HANDLER,
            "src/bots/beta.py": "import shared.b\n" + HANDLER,
            "src/shared/__init__.py": "",
            "src/shared/b.py": "X = 1\n",
        },
        ["alpha", "beta"],
    )
    build(root)
    before = {p: p.read_bytes() for p in (root / "dist").rglob("*") if p.is_file()}
    (root / "src/bots/alpha.py").write_text("# edited\n" + HANDLER)
    (root / "src/shared/b.py").write_text("X = (\n")

    with pytest.raises(BuildError, match=r"^src/shared/b\.py:1: syntax error: "):
        build(root)
    assert {p: p.read_bytes() for p in (root / "dist").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("source", "line", "shown"),
    [
        ("def handler(event):\n    return True\n", 1, "event"),
        ("X = 1\n\nasync def handler():\n    return True\n", 3, "no arguments"),
        ("def handler(medplum, event, extra):\n    return True\n", 1, "medplum, event, extra"),
        (
            "def handler(medplum, event, *, strict):\n    return True\n",
            1,
            "medplum, event; keyword-only strict",
        ),
    ],
)
def test_a_handler_medplum_cannot_call_is_refused_at_build(
    tmp_path: Path, source: str, line: int, shown: str
) -> None:
    message = _error(tmp_path, {"src/bots/alpha.py": source})
    assert message == (
        f"src/bots/alpha.py:{line}: handler takes ({shown}), but Medplum calls "
        "handler(medplum, event): define it as `def handler(medplum, event):`"
    )


@pytest.mark.parametrize(
    "source",
    [
        "def handler(medplum, event):\n    return True\n",
        "async def handler(medplum, event, retries=3):\n    return True\n",
        "def handler(*args):\n    return True\n",
        "def handler(medplum, event, *, strict=False, **extra):\n    return True\n",
        "from shared.a import make\n\nhandler = make()\n",  # not judged statically
    ],
)
def test_handlers_medplum_can_call_build(tmp_path: Path, source: str) -> None:
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/shared/__init__.py": "",
            "src/shared/a.py": "def make():\n    return lambda medplum, event: True\n",
            "src/bots/alpha.py": source,
        },
        ["alpha"],
    )
    build(root)


def test_reading_data_next_to_a_module_is_refused_at_build(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {
            "src/bots/alpha.py": "from shared import codes\n" + HANDLER,
            "src/shared/codes.py": (
                "from pathlib import Path\n\n"
                "CODES = (Path(__file__).parent / 'codes.csv').read_text()\n"
            ),
        },
    )
    assert message.startswith(
        "src/shared/codes.py:3: __file__ is not set when the bot runs on Medplum"
    )
    assert 'importlib.resources.files(shared).joinpath("codes.csv")' in message
    assert message.endswith("it is bundled")
