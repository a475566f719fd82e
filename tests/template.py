"""Render the template and run commands inside generated projects.

One virtual environment (`build/gen-venv`) serves every generated project: it is created once
with the default project's `[dev]` dependencies (medplum-bots from the wheel that
scripts/build_wheel.sh builds from this checkout); each variant is then installed into it with
`--no-deps`, and commands run with that variant's `src` first on PYTHONPATH so that tests
running side by side never see each other's project.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cookiecutter.main import cookiecutter
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "{{cookiecutter.project_slug}}"
BUILD = ROOT / "build"
GEN_VENV = BUILD / "gen-venv"


def render(output_dir: Path, **answers: Any) -> Path:
    """Generate a project with `answers` over the defaults; returns its directory."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = cookiecutter(str(ROOT), no_input=True, output_dir=str(output_dir), extra_context=answers)
    return Path(path)


@contextmanager
def _locked(name: str) -> Iterator[None]:
    BUILD.mkdir(exist_ok=True)
    # The same lock library as the package's config lock (medplum-bots depends on filelock).
    with FileLock(BUILD / f".{name}.lock"):
        yield


WHEELS = BUILD / "wheels"


def wheel() -> Path:
    """The medplum-bots wheel built from this checkout (scripts/build_wheel.sh)."""
    sources = ROOT / "packages" / "medplum-bots"
    newest = max(p.stat().st_mtime for p in sources.rglob("*") if p.is_file() and "src" in p.parts)
    with _locked("wheel"):
        built = sorted(WHEELS.glob("medplum_bots-*.whl"))
        if not built or built[-1].stat().st_mtime < newest:
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "build_wheel.sh")], check=True, capture_output=True
            )
            built = sorted(WHEELS.glob("medplum_bots-*.whl"))
    return built[-1]


def _deps_key() -> str:
    digest = hashlib.sha256((TEMPLATE_DIR / "pyproject.toml").read_bytes())
    digest.update(wheel().read_bytes())
    return digest.hexdigest()[:16]


def gen_python() -> Path:
    """The shared venv's interpreter, creating or refreshing the venv when dependencies change."""
    python = GEN_VENV / "bin" / "python"
    stamp = GEN_VENV / ".deps-key"
    with _locked("gen-venv"):
        if python.exists() and stamp.exists() and stamp.read_text() == _deps_key():
            return python
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(GEN_VENV)], check=True)
        with tempfile.TemporaryDirectory() as scratch:
            project = render(Path(scratch))
            pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            subprocess.run([*pip, "setuptools>=64", "wheel"], check=True)
            # medplum-bots==<pin> comes from the wheel of this checkout, as from an index.
            subprocess.run([*pip, "--find-links", str(WHEELS), f"{project}[dev,aws]"], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "uninstall", "-q", "-y", project.name], check=True
            )
        stamp.write_text(_deps_key())
    return python


def install(project: Path) -> subprocess.CompletedProcess[str]:
    """`pip install -e` a generated project into the shared venv (its dependencies are there).

    `--ignore-requires-python` lets variants that ask for a newer Python than this machine's
    be installed and checked; their ruff/mypy settings still target the version they ask for.
    """
    python = gen_python()
    with _locked("gen-venv"):
        return subprocess.run(
            [
                str(python),
                *("-m", "pip", "install", "-q", "--disable-pip-version-check"),
                *("--no-deps", "--no-build-isolation", "--ignore-requires-python"),
                *("-e", str(project)),
            ],
            capture_output=True,
            text=True,
        )


def project_env(project: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for commands run in `project`: its own code first, the shared venv on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEDPLUM_", "STAGING_", "PRODUCTION_"))
    }
    env["PYTHONPATH"] = f"{project / 'src'}{os.pathsep}{project}"
    env["PATH"] = f"{GEN_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("VIRTUAL_ENV", None)
    env.update(extra or {})
    return env


def run_in(
    project: Path,
    *args: str,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m <args>` (e.g. `invoke lint`) in `project` with the shared venv."""
    return subprocess.run(
        [str(gen_python()), "-m", *args],
        cwd=project,
        env=project_env(project, env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
