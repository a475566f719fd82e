"""The Lambda deployment zip: complete, deterministic, requirements installed for Lambda."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import pytest
from medplum_standin.layers import write_wheel

from medplum_bots.build.lambda_zip import (
    build_zip,
    dependency_layer,
    pip_platforms,
    runtime_requirements,
)
from medplum_bots.errors import BuildError

BOT = "def handler(medplum, event):\n    print('hi')\n    return event.input\n"


def _bot(tmp_path: Path, source: str = BOT) -> Path:
    path = tmp_path / "dist" / "bots" / "hello.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def _small_layer(tmp_path: Path) -> Path:
    """A dependency directory with the clutter pip leaves: bytecode, scripts, our marker."""
    layer = tmp_path / "layer"
    (layer / "dep" / "__pycache__").mkdir(parents=True)
    (layer / "dep" / "__init__.py").write_text("X = 1\n")
    (layer / "dep" / "__pycache__" / "__init__.cpython-312.pyc").write_bytes(b"\0pyc")
    (layer / "dep-1.0.dist-info").mkdir()
    (layer / "dep-1.0.dist-info" / "METADATA").write_text("Name: dep\n")
    (layer / "bin").mkdir()
    (layer / "bin" / "dep").write_text("#!/home/someone/.venv/bin/python\n")
    (layer / ".complete").write_text("{}\n")
    return layer


def test_zip_holds_bot_package_and_dependencies(tmp_path: Path, runtime_layer: Path) -> None:
    artifact = _bot(tmp_path)
    package = build_zip(artifact, tmp_path / "out.zip", requirements_dir=runtime_layer)
    with zipfile.ZipFile(package.path) as archive:
        names = archive.namelist()
        assert archive.read("bot.py") == artifact.read_bytes()
    assert names == sorted(names) == list(package.files)
    for expected in (
        "bot.py",
        "medplum_bots/runtime/lambda_handler.py",
        "medplum_bots/runtime/adapter.py",
        "medplum_bots/py.typed",
        "httpx/__init__.py",
        "httpcore/__init__.py",
        "anyio/__init__.py",
        "certifi/cacert.pem",
    ):
        assert expected in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # The function can tell which tooling version it runs.
    version = importlib.metadata.version("medplum-bots")
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(unzipped)
    found = importlib.metadata.distributions(name="medplum-bots", path=[str(unzipped)])
    assert [d.version for d in found] == [version]
    data = package.path.read_bytes()
    assert package.size == len(data)
    assert package.code_sha256 == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_zip_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    artifact = _bot(tmp_path)
    layer = _small_layer(tmp_path)
    first = build_zip(artifact, tmp_path / "a" / "first.zip", requirements_dir=layer)
    artifact.touch()  # a newer mtime must not change the bytes
    (layer / "dep" / "__init__.py").touch()
    second = build_zip(artifact, tmp_path / "b" / "second.zip", requirements_dir=layer)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.code_sha256 == second.code_sha256
    with zipfile.ZipFile(first.path) as archive:
        infos = archive.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    names = [info.filename for info in infos]
    assert "dep/__init__.py" in names and "dep-1.0.dist-info/METADATA" in names
    assert not [n for n in names if n.startswith("bin/") or n == ".complete" or ".pyc" in n]

    _bot(tmp_path, BOT.replace("hi", "hello"))
    changed = build_zip(artifact, tmp_path / "c.zip", requirements_dir=layer)
    assert changed.code_sha256 != first.code_sha256


@pytest.mark.parametrize("clash", ["medplum_bots/__init__.py", "bot.py"])
def test_requirements_cannot_replace_the_package_or_the_bot(tmp_path: Path, clash: str) -> None:
    layer = _small_layer(tmp_path)
    (layer / clash).parent.mkdir(parents=True, exist_ok=True)
    (layer / clash).write_text("")
    with pytest.raises(BuildError, match="which the Lambda package provides itself"):
        build_zip(_bot(tmp_path), tmp_path / "out.zip", requirements_dir=layer)


def test_missing_inputs_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"nope\.py: bot artifact not found") as missing:
        build_zip(tmp_path / "nope.py", tmp_path / "out.zip", requirements_dir=tmp_path)
    assert "\n" not in str(missing.value)
    with pytest.raises(BuildError, match="requirements directory not found"):
        build_zip(_bot(tmp_path), tmp_path / "out.zip", requirements_dir=tmp_path / "absent")


def test_platforms_follow_the_lambda_architecture() -> None:
    assert "manylinux2014_x86_64" in pip_platforms("x86_64")
    assert all(p.endswith("_aarch64") for p in pip_platforms("arm64"))
    with pytest.raises(BuildError, match="unknown Lambda architecture 'arm'"):
        pip_platforms("arm")


def test_runtime_requirements_pin_the_tested_httpx() -> None:
    assert runtime_requirements() == (f"httpx=={importlib.metadata.version('httpx')}",)


def test_pip_installs_wheels_for_the_lambda_platform_once(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    write_wheel(wheels, "tinydep", "1.0", "py3-none-any")
    write_wheel(wheels, "nativedep", "2.0", "cp312-cp312-manylinux2014_x86_64")
    write_wheel(wheels, "nativedep", "2.0", "cp312-cp312-manylinux_2_28_aarch64")
    write_wheel(wheels, "nativedep", "2.0", "cp312-cp312-macosx_11_0_arm64")
    offline = ("--no-index", "--find-links", str(wheels))
    cache = tmp_path / "cache"

    x86 = dependency_layer(["tinydep", "nativedep"], cache_dir=cache, pip_args=offline)
    assert "manylinux2014_x86_64" in (x86 / "nativedep" / "__init__.py").read_text()
    assert (x86 / "tinydep" / "__init__.py").is_file()
    assert not list(x86.rglob("*.pyc"))
    arm = dependency_layer(
        ["tinydep", "nativedep"], architecture="arm64", cache_dir=cache, pip_args=offline
    )
    assert arm != x86
    assert "manylinux_2_28_aarch64" in (arm / "nativedep" / "__init__.py").read_text()

    # A second build with the same inputs reuses the layer: no pip, so no index is needed.
    for wheel in wheels.iterdir():
        wheel.unlink()
    again = dependency_layer(["nativedep", "tinydep"], cache_dir=cache, pip_args=offline)
    assert again == x86
    assert sorted(p.name for p in cache.iterdir()) == sorted([x86.name, arm.name])


def test_pip_failure_names_the_requirement_and_platform(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    write_wheel(wheels, "nativedep", "2.0", "cp312-cp312-manylinux2014_x86_64")
    offline = ("--no-index", "--find-links", str(wheels))
    with pytest.raises(BuildError) as failure:
        dependency_layer(
            ["nativedep"], python_version="3.11", cache_dir=tmp_path / "c", pip_args=offline
        )
    message = str(failure.value)
    assert "nativedep" in message and "Python 3.11" in message and "manylinux" in message
    assert "\n" not in message
    assert not [p for p in (tmp_path / "c").iterdir() if not p.name.startswith(".")]


def test_build_zip_installs_runtime_and_bot_requirements(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    httpx_version = importlib.metadata.version("httpx")
    write_wheel(wheels, "httpx", httpx_version, "py3-none-any")
    write_wheel(wheels, "tinydep", "1.0", "py3-none-any")
    package = build_zip(
        _bot(tmp_path),
        tmp_path / "out.zip",
        requirements=["tinydep"],
        cache_dir=tmp_path / "cache",
        pip_args=["--no-index", "--find-links", str(wheels)],
    )
    assert "tinydep/__init__.py" in package.files
    assert f"httpx-{httpx_version}.dist-info/METADATA" in package.files
    with zipfile.ZipFile(package.path) as archive:
        assert "py3-none-any" in archive.read("httpx/__init__.py").decode()
