"""Baselines from earlier git revisions, for benchmarks that time today's code against old code.

A benchmark names the commit and the files it needs; `checkout` writes them, as they were at
that commit, into a temporary directory (`git archive`, nothing else in the checkout changes)
and `import_file` imports a module from there under a private name. No copy of old code is
kept in the tree: the revision is the baseline.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def checkout(commit: str, paths: Sequence[str]) -> Iterator[Path]:
    """A temporary directory holding `paths` (relative to the repository) as of `commit`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, "--", *paths],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        reason = archive.stderr.decode(errors="replace").strip() or "git archive failed"
        raise SystemExit(
            f"baseline {commit}: {reason} (a shallow clone lacks it: `git fetch --unshallow`)"
        )
    with tempfile.TemporaryDirectory(prefix=f"baseline-{commit}-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(scratch, filter="data")
        yield Path(scratch)


def import_file(path: Path, name: str) -> ModuleType:
    """Import the module at `path` as `name` (a name today's code does not use)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module
