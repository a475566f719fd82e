"""Credential lookup: specific beats generic, and nothing secret is ever shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from medplum_bots.config import Environment
from medplum_bots.deploy.credentials import Redactor, resolve_credentials
from medplum_bots.errors import ConfigError, CredentialsError

STAGING = Environment(
    name="staging",
    base_url="https://staging.example.com/",
    credentials_prefix="STAGING_",
    env_file=".env.staging",
)


def write(root: Path, name: str, **values: str) -> None:
    (root / name).write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")


def client_id(root: Path, environ: dict[str, str]) -> tuple[str, str]:
    found = resolve_credentials(STAGING, root, environ)
    return found.client_id, found.sources["MEDPLUM_CLIENT_ID"]


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    """Every layer holds a client id (and a secret, so lookups succeed)."""
    write(tmp_path, ".env.staging", MEDPLUM_CLIENT_ID="from-env-staging-file")
    write(
        tmp_path,
        ".env",
        MEDPLUM_CLIENT_ID="from-dotenv",
        MEDPLUM_CLIENT_SECRET="generic-secret-000",
    )
    return tmp_path


def test_prefixed_process_variable_wins_over_everything(layered: Path) -> None:
    environ = {"STAGING_MEDPLUM_CLIENT_ID": "prefixed", "MEDPLUM_CLIENT_ID": "generic"}

    assert client_id(layered, environ) == (
        "prefixed",
        "STAGING_MEDPLUM_CLIENT_ID in the environment",
    )


def test_environment_file_beats_generic_process_variable(layered: Path) -> None:
    environ = {"MEDPLUM_CLIENT_ID": "generic"}

    assert client_id(layered, environ) == (
        "from-env-staging-file",
        "MEDPLUM_CLIENT_ID in .env.staging",
    )


def test_prefixed_name_in_environment_file_beats_plain_name_there(layered: Path) -> None:
    write(
        layered,
        ".env.staging",
        MEDPLUM_CLIENT_ID="plain",
        STAGING_MEDPLUM_CLIENT_ID="prefixed-in-file",
    )

    assert client_id(layered, {})[0] == "prefixed-in-file"


def test_generic_process_variable_beats_dotenv(layered: Path) -> None:
    (layered / ".env.staging").unlink()

    assert client_id(layered, {"MEDPLUM_CLIENT_ID": "generic"}) == (
        "generic",
        "MEDPLUM_CLIENT_ID in the environment",
    )


def test_dotenv_is_the_last_resort_and_may_hold_prefixed_names(layered: Path) -> None:
    (layered / ".env.staging").unlink()
    assert client_id(layered, {}) == ("from-dotenv", "MEDPLUM_CLIENT_ID in .env")

    write(
        layered,
        ".env",
        STAGING_MEDPLUM_CLIENT_ID="a",
        MEDPLUM_CLIENT_ID="b",
        MEDPLUM_CLIENT_SECRET="s" * 8,
    )
    assert client_id(layered, {})[0] == "a"


def test_base_url_comes_from_specific_places_or_the_config_only(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".env",
        MEDPLUM_CLIENT_ID="id",
        MEDPLUM_CLIENT_SECRET="secret-123456",
        MEDPLUM_BASE_URL="https://api.medplum.com/",
    )
    environ = {"MEDPLUM_BASE_URL": "https://generic.example.com/"}

    # The generic names would send every environment to one server: ignored.
    assert resolve_credentials(STAGING, tmp_path, environ).base_url == STAGING.base_url

    write(tmp_path, ".env.staging", MEDPLUM_BASE_URL="https://from-file.example.com")
    assert resolve_credentials(STAGING, tmp_path, environ).base_url == (
        "https://from-file.example.com/"
    )
    environ["STAGING_MEDPLUM_BASE_URL"] = "https://prefixed.example.com/"
    assert resolve_credentials(STAGING, tmp_path, environ).base_url == (
        "https://prefixed.example.com/"
    )


def test_missing_value_names_the_variable_environment_and_places(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(STAGING, tmp_path, {"MEDPLUM_CLIENT_ID": "some-id"})

    message = str(caught.value)
    assert message.startswith("environment 'staging': MEDPLUM_CLIENT_SECRET is not set")
    assert "STAGING_MEDPLUM_CLIENT_SECRET" in message and ".env.staging" in message
    assert "\n" not in message


def test_blank_values_count_as_missing(tmp_path: Path) -> None:
    write(tmp_path, ".env", MEDPLUM_CLIENT_ID="id", MEDPLUM_CLIENT_SECRET="")

    with pytest.raises(CredentialsError, match="MEDPLUM_CLIENT_SECRET is not set"):
        resolve_credentials(STAGING, tmp_path, {"STAGING_MEDPLUM_CLIENT_SECRET": "  "})


def test_a_bad_base_url_is_named_with_its_source(tmp_path: Path) -> None:
    environ = {
        "STAGING_MEDPLUM_CLIENT_ID": "id",
        "STAGING_MEDPLUM_CLIENT_SECRET": "secret-123456",
        "STAGING_MEDPLUM_BASE_URL": "api.example.com",
    }

    with pytest.raises(CredentialsError, match="STAGING_MEDPLUM_BASE_URL in the environment"):
        resolve_credentials(STAGING, tmp_path, environ)


def test_repr_never_shows_the_secret(tmp_path: Path) -> None:
    environ = {"MEDPLUM_CLIENT_ID": "id-1", "MEDPLUM_CLIENT_SECRET": "top-secret-value"}

    found = resolve_credentials(STAGING, tmp_path, environ)

    assert found.client_secret == "top-secret-value"
    assert "top-secret-value" not in repr(found) and "top-secret-value" not in str(found)


def test_redactor_hides_every_known_secret_longest_first() -> None:
    redact = Redactor(["token-abcdef", "token-abcdef-longer"])
    redact.add(None)
    redact.add("abc")  # too short to hide safely

    text = redact("a token-abcdef-longer and token-abcdef, abc")

    assert text == "a *** and ***, abc"


def test_a_malformed_env_file_is_one_line_naming_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / ".env.staging").write_text(
        'MEDPLUM_CLIENT_ID=abc\nMEDPLUM_CLIENT_SECRET="s3cr3t-value with an open quote\n',
        encoding="utf-8",
    )

    with pytest.raises(ConfigError) as caught:
        resolve_credentials(STAGING, tmp_path, {})

    message = str(caught.value)
    assert message.startswith(".env.staging:2: not a NAME=VALUE line")
    assert "s3cr3t" not in message and "\n" not in message
    assert not [r for r in caplog.records if "python-dotenv" in r.getMessage()]
