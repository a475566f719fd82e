"""The README's first deploy in a generated project: `invoke setup --environment staging`, then
`invoke deploy --create`, as real processes against the loopback stand-in; the deploy needs
nothing but the `.env.staging` setup wrote."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet, open_fleet

from tests.template import run_in


@pytest.fixture
def fleet(tmp_path: Path, default_project: Path) -> Iterator[Fleet]:
    root = tmp_path / "project"
    shutil.copytree(default_project, root, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    with ExitStack() as stack:
        fleet = open_fleet(stack, root)
        entry = {
            "name": "alpha-staging",
            "id": "",
            "source": "src/bots/alpha.py",
            "dist": "dist/bots/alpha.py",
            "environment": "staging",
        }
        fleet.write_config([entry])
        yield fleet


def test_setup_then_deploy_create_is_the_first_deploy(fleet: Fleet) -> None:
    site = fleet.sites["staging"]
    environ = {
        "STAGING_MEDPLUM_CLIENT_ID": site.client_id,
        "STAGING_MEDPLUM_CLIENT_SECRET": site.client_secret,
    }

    done = run_in(fleet.root, "invoke", "setup", "--environment", "staging", env=environ)

    assert done.returncode == 0, done.stderr
    env_file = fleet.root / ".env.staging"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    for name in ("MEDPLUM_BOTS_RUNTIME_KEY", "MEDPLUM_BOTS_TRUSTED_KEYS", "MEDPLUM_CLIENT_ID"):
        assert name in done.stdout
    secrets = [site.client_secret, "staging-runtime-key-0123"]
    secrets += [
        line.split("=", 1)[1].strip("'")
        for line in env_file.read_text().splitlines()
        if line.startswith("MEDPLUM_BOTS_DEPLOY_KEY=")
    ]
    assert all(secret not in done.stdout + done.stderr for secret in secrets)

    again = run_in(fleet.root, "invoke", "setup", "--environment", "staging", env=environ)
    assert again.returncode == 0 and "already set up" in again.stdout.splitlines()[0]

    # Nothing in the environment: credentials and deploy key come from .env.staging.
    created = run_in(
        fleet.root,
        "invoke",
        "deploy",
        "--create",
        "--no-runtime-check",
        "--name",
        "alpha-staging",
        env={},
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.splitlines()[2].split()[:3] == ["alpha-staging", "staging", "created"]
    assert site.client_secret not in created.stdout + created.stderr
