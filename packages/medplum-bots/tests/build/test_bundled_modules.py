"""Which modules go into an artifact, and which imports become requirements."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from tests.build.projects import build, make_project

HANDLER = "def handler(medplum, event):\n    return True\n"


def test_transitive_shared_imports_are_bundled_and_unused_modules_left_out(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/bots/alpha.py": "from shared.fhir import family\n" + HANDLER,
            "src/bots/beta.py": "import json\n" + HANDLER,
            "src/shared/__init__.py": '"""Shared code."""\n',
            "src/shared/fhir.py": "from shared.text import title\ndef family(p): ...\n",
            "src/shared/text.py": "def title(s): return s.title()\n",
            "src/shared/unused.py": "UNUSED_MARKER = 1\n",
        },
        ["alpha", "beta"],
    )
    artifacts = build(root)

    assert sorted(artifacts) == ["alpha", "beta"]  # one per dist, not one per entry
    assert artifacts["alpha"].modules == (
        "bots",
        "bots.alpha",
        "shared",
        "shared.fhir",
        "shared.text",
    )
    assert artifacts["beta"].modules == ("bots", "bots.beta")
    alpha_text = (root / "dist/bots/alpha.py").read_text()
    assert "def title(s)" in alpha_text
    assert "UNUSED_MARKER" not in alpha_text
    assert "src/shared/unused.py" not in alpha_text


def test_every_import_form_is_followed(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/bots/gamma.py": """
                from __future__ import annotations

                import shared.deep.leaf
                from shared import sibling
                from shared.names import CONSTANT
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from shared.typing_only import Alias

                try:
                    from shared.optional_missing import fast
                except ImportError:
                    from shared.fallback import fast

                try:
                    import shared.optional_present
                except ModuleNotFoundError:
                    pass

                class Holder:
                    from shared.in_class import VALUE

                def handler(medplum, event):
                    from shared.lazy import later
                    return later()
            """,
            "src/shared/__init__.py": "",
            "src/shared/deep/__init__.py": "from . import helper\n",
            "src/shared/deep/helper.py": "from ..relative_target import X\n",
            "src/shared/deep/leaf.py": "from .helper import *\n",
            "src/shared/relative_target.py": "X = 1\n",
            "src/shared/sibling.py": "",
            "src/shared/names.py": "CONSTANT = 1\n",
            "src/shared/typing_only.py": "Alias = int\n",
            "src/shared/fallback.py": "def fast(): ...\n",
            "src/shared/optional_present.py": "",
            "src/shared/in_class.py": "VALUE = 1\n",
            "src/shared/lazy.py": "import nsutil.tools\ndef later(): return nsutil.tools.N\n",
            "src/nsutil/tools.py": "N = 3\n",  # a namespace package: no __init__.py
            "src/shared/never_imported.py": "",
        },
        ["gamma"],
    )

    assert build(root)["gamma"].modules == (
        "bots",
        "bots.gamma",
        "nsutil",
        "nsutil.tools",
        "shared",
        "shared.deep",
        "shared.deep.helper",
        "shared.deep.leaf",
        "shared.fallback",
        "shared.in_class",
        "shared.lazy",
        "shared.names",
        "shared.optional_present",
        "shared.relative_target",
        "shared.sibling",
    )


def test_third_party_imports_become_requirements_with_installed_versions(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path,
        {
            "src/bots/__init__.py": "",
            "src/bots/delta.py": """
                import json, os.path
                from typing import TYPE_CHECKING
                from medplum_bots import BotEvent
                from shared.parse import load

                if TYPE_CHECKING:
                    import boto3

                try:
                    import orjson
                except ImportError:
                    orjson = None

                def handler(medplum, event):
                    import not_installed_package_xyz
                    return load(event.input)
            """,
            "src/shared/__init__.py": "",
            "src/shared/parse.py": "import yaml\ndef load(text): return yaml.safe_load(text)\n",
        },
        ["delta"],
    )
    artifact = build(root)["delta"]

    # yaml -> its distribution PyYAML, pinned; an unknown name falls back to itself; stdlib,
    # medplum_bots, TYPE_CHECKING-only and optional (try/except ImportError) imports are not
    # requirements.
    assert artifact.requirements == (
        "not_installed_package_xyz",
        f"PyYAML=={version('PyYAML')}",
    )
    assert "shared.parse" in artifact.modules
    assert not any(m.startswith(("medplum_bots", "yaml", "json")) for m in artifact.modules)


def test_a_bot_outside_src_is_bundled_with_the_shared_modules_it_imports(
    tmp_path: Path,
) -> None:
    root = make_project(
        tmp_path,
        {
            "examples/hello.py": "from shared.text import title\n" + HANDLER,
            "src/shared/__init__.py": "",
            "src/shared/text.py": "def title(s): return s\n",
        },
        [],
    )
    from medplum_bots.build.bundle import build_bot

    artifact = build_bot(Path("examples/hello.py"), root, Path("dist/hello.py"))

    assert artifact.path == root / "dist/hello.py"
    assert artifact.modules == ("hello", "shared", "shared.text")
    assert artifact.source == "examples/hello.py"
