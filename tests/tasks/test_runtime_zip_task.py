"""`invoke runtime-zip` in a generated project: every bot in one Lambda zip."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.template import render, run_in


def test_invoke_runtime_zip_builds_every_bot_into_one_zip(
    tmp_path: Path, runtime_layer: Path
) -> None:
    project = render(tmp_path, include_sync_examples=True)
    done = run_in(project, "invoke", "runtime-zip", "--requirements-dir", str(runtime_layer))
    assert done.returncode == 0, done.stderr
    zip_path = project / "dist" / "runtime-lambda.zip"
    assert done.stdout.splitlines()[0].startswith(f"{zip_path} (")
    names = ["hapi_sync_bot", "hapi_sync_simple_bot", "my_first_bot"]
    assert done.stdout.splitlines()[1] == f"bots: {', '.join(names)}"
    python = (project / ".python-version").read_text().strip()
    assert done.stdout.splitlines()[2] == (
        f"built for Python {python}: the function's runtime must be python{python}"
    )
    with zipfile.ZipFile(zip_path) as archive:
        files = archive.namelist()
    assert [f for f in files if f.startswith("dist/")] == [
        *(f"dist/bots/{name}.py" for name in names),
        "dist/manifest.json",
    ]
    assert "httpx/__init__.py" in files

    failed = run_in(project, "invoke", "runtime-zip", "--architecture", "arm")
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        "error: unknown Lambda architecture 'arm' (known: x86_64, arm64)"
    )
