"""`invoke setup` against the loopback stand-in: keys made, Project secret set, .env written
once (0600), a second run changes nothing, and a first deploy then works from the file alone."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from medplum_standin import MedplumStandIn
from medplum_standin.fleet import FILES, bot_source, write_files

from medplum_bots.config import load_config
from medplum_bots.deploy.credentials import read_env_file
from medplum_bots.deploy.orchestrate import Connections, DeployOptions, deploy
from medplum_bots.deploy.setup import setup_environment
from medplum_bots.errors import CredentialsError, DeployError
from medplum_bots.runtime.deploy_keys import load_private, public_text

PROJECT = "staging-project"
ADMIN = ("admin-client", "admin-client-secret-4b1e77")
MEMBER = ("member-client", "member-client-secret-9ac0d2")
SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"


@pytest.fixture
def standin() -> Iterator[MedplumStandIn]:
    with MedplumStandIn() as standin:
        standin.add_project(PROJECT)
        standin.add_client(*ADMIN, PROJECT)
        standin.add_client(*MEMBER, PROJECT, admin=False)
        yield standin


@pytest.fixture
def root(tmp_path: Path, standin: MedplumStandIn) -> Path:
    write_files(tmp_path, {**FILES, "src/bots/alpha.py": bot_source("alpha")})
    config = {
        "bots": [
            {
                "name": "alpha-staging",
                "id": "",
                "source": "src/bots/alpha.py",
                "dist": "dist/bots/alpha.py",
            }
        ],
        "environments": {
            "staging": {
                "baseUrl": standin.base_url,
                "projectId": PROJECT,
                "runtime": {"type": "http", "url": "https://runtime.example.com/"},
            }
        },
    }
    (tmp_path / "medplum.config.json").write_text(json.dumps(config))
    return tmp_path


def environ(client: tuple[str, str]) -> dict[str, str]:
    return {"STAGING_MEDPLUM_CLIENT_ID": client[0], "STAGING_MEDPLUM_CLIENT_SECRET": client[1]}


def project_secret(standin: MedplumStandIn) -> str | None:
    project = standin.store.read("Project", PROJECT)
    found = [s["valueString"] for s in project.get("secret", []) if s["name"] == SECRET]
    return found[0] if found else None


def test_setup_makes_the_keys_sets_the_secret_and_a_second_run_changes_nothing(
    root: Path, standin: MedplumStandIn
) -> None:
    result = setup_environment(
        load_config(root / "medplum.config.json"), "staging", environ=environ(ADMIN)
    )

    path = root / ".env.staging"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = read_env_file(path)
    assert values["MEDPLUM_CLIENT_ID"] == ADMIN[0]
    assert values["MEDPLUM_CLIENT_SECRET"] == ADMIN[1]
    runtime_key = values[SECRET]
    assert runtime_key and len(runtime_key) >= 32
    assert project_secret(standin) == runtime_key
    private = values["MEDPLUM_BOTS_DEPLOY_KEY"] or ""
    public = public_text(load_private(private).public_key())
    assert values["MEDPLUM_BOTS_TRUSTED_KEYS"] == f"staging={public}"
    assert values["MEDPLUM_BOTS_ALLOWED_BASE_URLS"] == standin.base_url
    assert result.changed and result.project_secret == "set"
    text = "\n".join(result.lines())
    for secret in (ADMIN[1], runtime_key, private):
        assert secret not in text
    for name in (
        "MEDPLUM_CLIENT_ID",
        "MEDPLUM_CLIENT_SECRET",
        "MEDPLUM_BOTS_DEPLOY_KEY",
        "MEDPLUM_BOTS_TRUSTED_KEYS",
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS",
        SECRET,
        public,
    ):
        assert name in text

    before = path.read_bytes(), path.stat().st_mtime_ns
    version = standin.store.read("Project", PROJECT)["meta"]["versionId"]
    again = setup_environment(
        load_config(root / "medplum.config.json"), "staging", environ=environ(ADMIN)
    )
    assert not again.changed and again.project_secret == "unchanged"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert standin.store.read("Project", PROJECT)["meta"]["versionId"] == version
    assert "already set up" in again.lines()[0]

    # The first deploy then needs nothing but the file: credentials, deploy key, secret.
    report = deploy(
        load_config(root / "medplum.config.json"),
        ["*"],
        DeployOptions(create=True, runtime_check=False),
        Connections(environ={}),
    )
    assert report.ok, report.table()


def test_an_existing_project_secret_is_adopted_not_rotated(
    root: Path, standin: MedplumStandIn
) -> None:
    standin.set_secret(PROJECT, SECRET, "the-runtime-key-already-in-use-0123456789")
    version = standin.store.read("Project", PROJECT)["meta"]["versionId"]

    result = setup_environment(
        load_config(root / "medplum.config.json"), "staging", environ=environ(ADMIN)
    )

    assert result.project_secret == "unchanged"
    assert read_env_file(root / ".env.staging")[SECRET] == project_secret(standin)
    assert standin.store.read("Project", PROJECT)["meta"]["versionId"] == version


def test_a_client_that_may_not_change_the_project_gets_the_manual_step(
    root: Path, standin: MedplumStandIn
) -> None:
    result = setup_environment(
        load_config(root / "medplum.config.json"), "staging", environ=environ(MEMBER)
    )

    assert result.project_secret == "manual" and not result.admin
    assert project_secret(standin) is None
    text = "\n".join(result.lines())
    assert f"Project > Secrets > Add, name {SECRET}, value: {SECRET} from .env.staging" in text
    assert "is not a project admin" in text
    assert (root / ".env.staging").exists()


def test_an_existing_file_is_kept_unless_forced_and_its_values_survive(
    root: Path, standin: MedplumStandIn
) -> None:
    path = root / ".env.staging"
    path.write_text(f"MEDPLUM_CLIENT_ID={ADMIN[0]}\nMEDPLUM_CLIENT_SECRET={ADMIN[1]}\nOTHER=x\n")
    before = path.read_bytes()

    with pytest.raises(DeployError) as refused:
        setup_environment(load_config(root / "medplum.config.json"), "staging", environ={})
    assert ".env.staging exists and lacks MEDPLUM_BOTS_DEPLOY_KEY" in str(refused.value)
    assert "--force" in str(refused.value)
    assert path.read_bytes() == before and project_secret(standin) is None

    setup_environment(load_config(root / "medplum.config.json"), "staging", environ={}, force=True)
    values = read_env_file(path)
    assert values["OTHER"] == "x" and values["MEDPLUM_CLIENT_SECRET"] == ADMIN[1]
    assert values[SECRET] == project_secret(standin)


def test_missing_or_wrong_credentials_are_one_line(root: Path, standin: MedplumStandIn) -> None:
    config = load_config(root / "medplum.config.json")
    with pytest.raises(CredentialsError) as missing:
        setup_environment(config, "staging", environ={})
    assert str(missing.value).startswith("environment 'staging': MEDPLUM_CLIENT_ID is not set")

    with pytest.raises(CredentialsError) as wrong:
        setup_environment(config, "staging", environ=environ((ADMIN[0], "not-the-secret")))
    message = str(wrong.value)
    assert (
        "logging in to" in message and "STAGING_MEDPLUM_CLIENT_SECRET in the environment" in message
    )
    assert "\n" not in message and "not-the-secret" not in message
    assert not (root / ".env.staging").exists()
