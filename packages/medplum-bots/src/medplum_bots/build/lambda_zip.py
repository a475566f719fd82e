"""Deployment zips of Python Lambdas: one bot (route 2), or route 1's runtime for every bot.

Layout of a bot's zip (`build_zip`; the Lambda's task root):

    bot.py            the bot's artifact (one self-contained module, see `bundle`)
    medplum_bots/     this package: the adapter, the client and the Lambda handler
    httpx/, anyio/... the runtime's third-party packages and the bot's own requirements,
                      installed by pip for the Lambda's platform (manylinux, CPython 3.x)

The runtime's zip (`build_runtime_zip`, a function URL serving `/bots/{name}`) has
`dist/manifest.json` and every artifact it lists (`dist/bots/*.py`) instead of `bot.py`, and
the union of all the bots' requirements.

The zip is deterministic (sorted entries, fixed timestamps and modes, no bytecode), so the
same inputs give the same bytes and the deployer can skip uploading code Lambda already has
(it compares our SHA-256 with the function's `CodeSha256`).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from medplum_bots.build.manifest import MANIFEST, read_manifest
from medplum_bots.errors import BuildError

ARTIFACT_FILE = "bot.py"
PACKAGE = "medplum_bots"
DISTRIBUTION = "medplum-bots"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# What the handler itself imports at run time besides the standard library.
RUNTIME_DISTRIBUTIONS = ("httpx",)
# Lambda's Python runtimes run on Amazon Linux 2023 (glibc 2.34): wheels for these manylinux
# levels (and the older ones pip derives from manylinux2014) all load there.
MANYLINUX_LEVELS = ("manylinux_2_34", "manylinux_2_28", "manylinux2014")
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}
# Lambda refuses a directly uploaded zip larger than this (bigger packages need S3).
MAX_DIRECT_UPLOAD = 50 * 1024 * 1024
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_SKIPPED_PARTS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_LAYER_LOCKS: dict[str, threading.Lock] = {}
_LAYER_LOCKS_GUARD = threading.Lock()


@dataclass(frozen=True)
class LambdaZip:
    """A built deployment package; `code_sha256` is base64 SHA-256, as Lambda's `CodeSha256`."""

    path: Path
    size: int
    code_sha256: str
    files: tuple[str, ...]


def runtime_requirements() -> tuple[str, ...]:
    """The handler's own third-party requirements, pinned to the versions installed here.

    Pinning makes the Lambda run what the tests ran, and keeps the dependency cache key stable.
    """
    pinned: list[str] = []
    for name in RUNTIME_DISTRIBUTIONS:
        try:
            pinned.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pinned.append(name)
    return tuple(pinned)


def _pinned(name: str) -> str:
    try:
        return f"{name}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return name


def pip_platforms(architecture: str) -> tuple[str, ...]:
    """pip `--platform` values for a Lambda architecture (`x86_64` or `arm64`)."""
    try:
        machine = ARCHITECTURES[architecture]
    except KeyError:
        known = ", ".join(ARCHITECTURES)
        raise BuildError(f"unknown Lambda architecture {architecture!r} (known: {known})") from None
    return tuple(f"{level}_{machine}" for level in MANYLINUX_LEVELS)


def default_cache_dir() -> Path:
    """Where installed dependency layers are kept between builds."""
    explicit = os.environ.get("MEDPLUM_BOTS_CACHE")
    if explicit:
        return Path(explicit) / "lambda-deps"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "medplum-bots" / "lambda-deps"


def dependency_layer(
    requirements: Sequence[str],
    *,
    architecture: str = "x86_64",
    python_version: str = "3.12",
    cache_dir: Path | None = None,
    pip_args: Sequence[str] = (),
) -> Path:
    """A directory holding `requirements` installed for Lambda, built once per distinct input.

    The cache key is the exact requirement strings, platform, Python version and extra pip
    arguments: pin versions (`pkg==1.2.3`) for reproducible builds. Concurrent builds of the
    same key in this process wait for one another; across processes the last rename loses
    harmlessly (the directories are identical).
    """
    platforms = pip_platforms(architecture)
    key_source = json.dumps(
        {
            "requirements": sorted(set(requirements)),
            "platforms": platforms,
            "python": python_version,
            "pip_args": list(pip_args),
        },
        sort_keys=True,
    )
    key = hashlib.sha256(key_source.encode()).hexdigest()[:24]
    root = cache_dir or default_cache_dir()
    layer = root / key
    with _layer_lock(key):
        if (layer / ".complete").is_file():
            return layer
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
        try:
            _pip_install(requirements, scratch, platforms, python_version, pip_args)
            (scratch / ".complete").write_text(key_source + "\n", encoding="utf-8")
            shutil.rmtree(layer, ignore_errors=True)
            try:
                scratch.rename(layer)
            except OSError:
                # Another process finished the same layer first; theirs is as good as ours.
                if not (layer / ".complete").is_file():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return layer


def _layer_lock(key: str) -> threading.Lock:
    with _LAYER_LOCKS_GUARD:
        return _LAYER_LOCKS.setdefault(key, threading.Lock())


def _pip_install(
    requirements: Sequence[str],
    target: Path,
    platforms: Sequence[str],
    python_version: str,
    pip_args: Sequence[str],
) -> None:
    if not requirements:
        return
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--target", str(target), "--no-compile", "--implementation", "cp"]
    command += ["--python-version", python_version, "--only-binary=:all:"]
    for platform in platforms:
        command += ["--platform", platform]
    command += [*pip_args, *requirements]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BuildError(f"cannot run pip ({error.strerror})") from None
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip()]
        detail = next((line for line in lines if line.startswith("ERROR")), None)
        detail = detail or (lines[-1] if lines else f"exit code {completed.returncode}")
        raise BuildError(
            f"pip could not install {', '.join(requirements)} for Lambda "
            f"({platforms[0]}, Python {python_version}): {detail}"
        )


def _walk(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        skipped = _SKIPPED_PARTS.intersection(relative.parts) or path.name.endswith(
            _SKIPPED_SUFFIXES
        )
        if path.is_file() and not skipped:
            yield path


def _package_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in _walk(PACKAGE_DIR):
        if path.suffix in (".py", ".js") or path.name == "py.typed":
            files[f"{PACKAGE}/{path.relative_to(PACKAGE_DIR).as_posix()}"] = path
    return files


def _layer_files(layer: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in _walk(layer):
        relative = path.relative_to(layer)
        # Console scripts hold this machine's interpreter path; markers are ours.
        if relative.parts[0] == "bin" or relative.name == ".complete":
            continue
        files[relative.as_posix()] = path
    return files


def build_zip(
    artifact_path: Path,
    out: Path,
    *,
    requirements: Sequence[str] = (),
    architecture: str = "x86_64",
    python_version: str = "3.12",
    requirements_dir: Path | None = None,
    cache_dir: Path | None = None,
    pip_args: Sequence[str] = (),
) -> LambdaZip:
    """Write the Lambda zip for one bot artifact to `out` and describe it.

    `requirements` are the bot's third-party requirements (from the artifact's manifest); the
    handler's own (`runtime_requirements()`) are added. `requirements_dir`, when given, is an
    already prepared directory of installed packages used as is instead of running pip.
    """
    pip_platforms(architecture)  # a bad architecture fails even when pip will not run
    if not artifact_path.is_file():
        raise BuildError(f"{artifact_path}: bot artifact not found (run 'invoke build' first)")
    layer = _requirements_layer(
        requirements, requirements_dir, architecture, python_version, cache_dir, pip_args
    )
    return _write_zip(out, {ARTIFACT_FILE: artifact_path}, layer)


def build_runtime_zip(
    root: Path,
    out: Path,
    *,
    architecture: str = "x86_64",
    python_version: str = "3.12",
    requirements_dir: Path | None = None,
    cache_dir: Path | None = None,
    pip_args: Sequence[str] = (),
) -> LambdaZip:
    """Write the zip of route 1's runtime as one Lambda serving every bot of `root`'s build.

    It holds `dist/manifest.json` and every artifact it lists, at their paths relative to the
    project root `root` (so the handler finds the build at `<task root>/dist`), this package,
    and the runtime's requirements plus the union of the artifacts' requirements. Run
    `bundle.build_all` first. `requirements_dir` replaces the pip step, as in `build_zip`.
    """
    pip_platforms(architecture)  # a bad architecture fails even when pip will not run
    manifest = root / MANIFEST
    records = read_manifest(root)
    if not records:
        raise BuildError(f"{manifest}: no bots built (run 'invoke build' first)")
    own: dict[str, Path] = {MANIFEST: manifest}
    # The generic runtime verifies deploy signatures (Ed25519) with `cryptography`, checks its
    # trusted keys with PyNaCl and may keep its replay and deploy memory in Redis.
    requirements: set[str] = {_pinned("cryptography"), _pinned("pynacl"), _pinned("redis")}
    for record in records:
        dist = PurePosixPath(str(record["dist"]))
        if dist.is_absolute() or ".." in dist.parts or not dist.parts:
            raise BuildError(f"{manifest}: artifact path {str(dist)!r} is not inside the project")
        path = root / dist
        if not path.is_file():
            raise BuildError(f"{path}: bot artifact not found (run 'invoke build' first)")
        own[dist.as_posix()] = path
        requirements.update(record.get("requirements") or [])
    layer = _requirements_layer(
        sorted(requirements), requirements_dir, architecture, python_version, cache_dir, pip_args
    )
    return _write_zip(out, own, layer)


def _requirements_layer(
    requirements: Sequence[str],
    requirements_dir: Path | None,
    architecture: str,
    python_version: str,
    cache_dir: Path | None,
    pip_args: Sequence[str],
) -> Path:
    """The installed packages to ship: `requirements_dir` as is, or a (cached) pip install."""
    if requirements_dir is not None:
        if not requirements_dir.is_dir():
            raise BuildError(f"{requirements_dir}: requirements directory not found")
        return requirements_dir
    return dependency_layer(
        [*runtime_requirements(), *requirements],
        architecture=architecture,
        python_version=python_version,
        cache_dir=cache_dir,
        pip_args=pip_args,
    )


def _package_metadata() -> dict[str, bytes]:
    """This distribution's name and version, so the function knows which tooling it runs.

    The zip carries the installed (pinned) medplum-bots package's files as they are, whether it
    came from the package index or an editable checkout; its metadata is reduced to what
    `importlib.metadata.version("medplum-bots")` reads.
    """
    try:
        version = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return {}
    text = f"Metadata-Version: 2.1\nName: {DISTRIBUTION}\nVersion: {version}\n"
    return {f"{PACKAGE}-{version}.dist-info/METADATA": text.encode("utf-8")}


def _write_zip(out: Path, bot_files: Mapping[str, Path], layer: Path) -> LambdaZip:
    """Write `bot_files` (zip name -> file), this package and `layer` to `out`, reproducibly."""
    entries: dict[str, Path | bytes] = dict(_layer_files(layer))
    own: dict[str, Path | bytes] = {**bot_files, **_package_files(), **_package_metadata()}
    clash = sorted(set(own) & set(entries))
    if clash or any(name.startswith(f"{PACKAGE}/") for name in entries):
        raise BuildError(
            f"{layer}: the installed requirements contain {clash[0] if clash else PACKAGE!r}, "
            "which the Lambda package provides itself"
        )
    entries.update(own)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
                content = entries[name]
                data = content if isinstance(content, bytes) else content.read_bytes()
                archive.writestr(info, data, compresslevel=9)
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    data = out.read_bytes()
    if len(data) > MAX_DIRECT_UPLOAD:
        raise BuildError(
            f"{out}: {len(data) / 1e6:.1f} MB is over Lambda's 50 MB limit for a direct upload; "
            "trim the bot's requirements"
        )
    return LambdaZip(
        path=out,
        size=len(data),
        code_sha256=base64.b64encode(hashlib.sha256(data).digest()).decode("ascii"),
        files=tuple(sorted(entries)),
    )
