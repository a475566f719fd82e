"""Small bot projects written into temp directories, and ways to run their code.

A project is `src/` files plus a medplum.config.json with a staging and a production entry
per bot (as the template generates), so tests see the artifact-per-dist mapping too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import medplum_bots
from medplum_bots.build.bundle import Artifact, build_all
from medplum_bots.config import load_config

ENVIRONMENTS = ("staging", "production")
TOOLING = Path(medplum_bots.__file__ or "medplum_bots").resolve().parent


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write `files` (path relative to `root` -> dedented text) under `root`."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def make_project(root: Path, files: Mapping[str, str], bots: Sequence[str]) -> Path:
    """A project at `root` with `files` and config entries for the modules `bots`."""
    write_files(root, files)
    entries = [
        {
            "name": f"{module.replace('_', '-')}-{environment}",
            "id": "",
            "source": f"src/bots/{module}.py",
            "dist": f"dist/bots/{module}.py",
            "environment": environment,
        }
        for module in bots
        for environment in ENVIRONMENTS
    ]
    environments = {env: {"baseUrl": "https://api.medplum.com/"} for env in ENVIRONMENTS}
    config = {"bots": entries, "environments": environments}
    (root / "medplum.config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return root


def build(root: Path, *patterns: str) -> dict[str, Artifact]:
    """Build the project's bots (all, or those matching `patterns`), by artifact name."""
    return {a.name: a for a in build_all(load_config(root / "medplum.config.json"), patterns)}


def tooling_only_path(base: Path) -> Path:
    """A directory holding only `medplum_bots` (a link): the runtime's view of the world."""
    runtime = base / "runtime-path"
    runtime.mkdir(exist_ok=True)
    link = runtime / "medplum_bots"
    if not link.exists():
        link.symlink_to(TOOLING, target_is_directory=True)
    return runtime


def run_python(
    code: str, *, cwd: Path, pythonpath: Sequence[Path], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `python -c code` in a fresh interpreter with exactly `pythonpath` added."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
