"""Test helpers: a dependency directory copied from this interpreter, and hand-made wheels.

Both keep the Lambda tests offline and fast: the runtime's own packages (httpx and what it
imports) are pure Python, so a copy of the installed ones stands in for pip's output, and
the pip step itself is exercised against wheels written here with `--no-index`.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import shutil
import zipfile
from pathlib import Path

import pytest

# httpx and everything it imports at run time (for Python 3.11+).
RUNTIME_CLOSURE = (
    "httpx",
    "httpcore",
    "h11",
    "anyio",
    "idna",
    "certifi",
    "typing_extensions",
    # The generic runtime verifies deploy signatures (Ed25519) and checks trusted keys
    # (PyNaCl), and keeps replays and deploy marks in Redis when told to.
    "cryptography",
    "pynacl",
    "cffi",
    "pycparser",
    "redis",
)


def copy_distributions(names: tuple[str, ...], target: Path) -> Path:
    """Copy the installed files of distributions `names` (code and metadata) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(str(distribution.locate_file(file))).resolve()
            parts = Path(str(file)).parts
            if parts[0] == ".." or "__pycache__" in parts or not source.is_file():
                continue  # console scripts live outside site-packages
            destination = target / Path(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    return target


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(directory: Path, name: str, version: str, tag: str) -> Path:
    """A minimal valid wheel for package `name` with compatibility tag `tag`."""
    directory.mkdir(parents=True, exist_ok=True)
    module = re.sub(r"[-.]", "_", name)
    info = f"{module}-{version}.dist-info"
    purelib = "true" if tag.startswith("py3-none") else "false"
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\nTAG = {tag!r}\n".encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
        ).encode(),
    }
    record = [_record_line(path, data) for path, data in files.items()]
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{module}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


@pytest.fixture(scope="session")
def runtime_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """httpx and its dependencies, as `pip install --target` would lay them out."""
    return copy_distributions(RUNTIME_CLOSURE, tmp_path_factory.mktemp("layer"))
