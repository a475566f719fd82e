"""The generated pre-commit setup and its credentials guard, `scripts/check_secrets.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HEX_SECRET = "4f3c2a1b9e8d7c6b5a49382716f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d"
# The shape `invoke deploy-key` prints (a made-up value).
DEPLOY_KEY = "ed25519-private:" + "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQtaGVyZQ"


def guard(project: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    script = project / "scripts/check_secrets.py"
    return subprocess.run(
        [sys.executable, str(script), *map(str, files)], capture_output=True, text=True
    )


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write_file


def test_hooks_are_local_and_cover_ruff_mypy_and_the_guard(default_project: Path) -> None:
    config = yaml.safe_load((default_project / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    assert set(hooks) == {"no-credentials", "ruff", "ruff-format", "mypy"}
    assert all(hook["language"] == "system" for hook in hooks.values())
    assert hooks["ruff"]["entry"].startswith("python -m ruff check")
    assert hooks["ruff-format"]["entry"].startswith("python -m ruff format --check")
    assert hooks["mypy"]["entry"] == "python -m mypy" and hooks["mypy"]["pass_filenames"] is False
    script = hooks["no-credentials"]["entry"].split()[-1]
    assert (default_project / script).is_file()
    assert "types" not in hooks["no-credentials"]  # every staged file, whatever its type


@pytest.mark.parametrize("name", [".env", ".env.staging", ".env.production", "config/.env.local"])
def test_env_files_are_refused(default_project: Path, write: Any, name: str) -> None:
    result = guard(default_project, write(name, "# nothing secret inside\n"))
    assert result.returncode == 1
    assert ".env files hold credentials" in result.stderr


@pytest.mark.parametrize(
    ("name", "text", "label"),
    [
        ("notes.txt", f"MEDPLUM_CLIENT_SECRET={HEX_SECRET}\n", "credential assigned"),
        ("deploy.sh", f"export STAGING_MEDPLUM_CLIENT_SECRET='{HEX_SECRET}'\n", "credential"),
        ("settings.json", f'{{"clientSecret": "{HEX_SECRET}"}}\n', "credential assigned"),
        ("bot.py", f'login(client_id="abc", client_secret="{HEX_SECRET}")\n', "credential"),
        ("call.py", f'headers = {{"Authorization": "Bearer {HEX_SECRET}"}}\n', "bearer token"),
        ("token.txt", f"{JWT}\n", "JSON Web Token"),
        ("key.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", "private key"),
        ("ci.env", f"KEY={DEPLOY_KEY}\n", "deploy key"),
        ("values.yaml", f"client_secret: {HEX_SECRET}\n", "credential assigned"),
        ("values.yml", f"  clientSecret: {HEX_SECRET}  # staging\n", "credential"),
        ("app.ini", f"client-secret = {HEX_SECRET}\n", "credential assigned"),
        ("list.yaml", f"- access_token: {HEX_SECRET}\n", "credential assigned"),
        ("aws.cfg", "aws_access_key_id = AKIAIOSFODNN7EXAMPLF\n", "AWS access key id"),
    ],
)
def test_credentials_are_refused_without_printing_them(
    default_project: Path, write: Any, name: str, text: str, label: str
) -> None:
    path = write(name, "first line\n" + text)

    result = guard(default_project, path)

    assert result.returncode == 1
    assert f"{path}:2: looks like" in result.stderr and label in result.stderr
    for value in (HEX_SECRET, JWT, "AKIAIOSFODNN7EXAMPLF", "MIIE", DEPLOY_KEY):
        assert value not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "MEDPLUM_CLIENT_SECRET=\n",
        "export MEDPLUM_CLIENT_SECRET=<YOUR_CLIENT_SECRET>\n",
        "STAGING_MEDPLUM_CLIENT_SECRET: ${{ secrets.MEDPLUM_CLIENT_SECRET }}\n",
        'CLIENT_SECRET = "MEDPLUM_CLIENT_SECRET"\n',
        "client = MedplumClient(client_id=client_id, client_secret=client_secret)\n",
        'headers = {"Authorization": f"Bearer {token}"}\n',
        'add_client("staging-client", "staging-secret-value-1234")\n',
        f'FAKE = "{HEX_SECRET}"  # pragma: allowlist secret\n',
        "client_secret: ${{ secrets.MEDPLUM_CLIENT_SECRET }}\n",
        "clientSecret: <your client secret>\n",
        "deploy_key = load_deploy_key(environment_name_here)\n",
    ],
)
def test_placeholders_references_and_marked_fakes_pass(
    default_project: Path, write: Any, text: str
) -> None:
    result = guard(default_project, write("ok.py", text), write(".env.example", text))
    assert result.returncode == 0, result.stderr


def test_binary_and_missing_files_are_skipped(default_project: Path, tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\0\0" + HEX_SECRET.encode())
    assert guard(default_project, binary, tmp_path / "deleted.txt").returncode == 0


def test_the_generated_project_passes_its_own_guard(default_project: Path) -> None:
    files = [
        path
        for path in default_project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert len(files) > 20
    result = guard(default_project, *files)
    assert result.returncode == 0, result.stderr
