"""Rules the client, the config, the deployer and the runtime share, each defined once:
what a base URL is (`urls`), how secrets are kept out of printed text (`redaction`), and
what content type a bot's input file is sent with (`inputs`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medplum_bots.client import MedplumClient
from medplum_bots.config import Environment, load_config, parse_config
from medplum_bots.deploy.credentials import resolve_credentials
from medplum_bots.deploy.remote import read_input
from medplum_bots.errors import ConfigError, CredentialsError, MedplumBotsError
from medplum_bots.inputs import guess_content_type
from medplum_bots.redaction import MASK, MIN_SECRET_LENGTH, Redactor, redact, redact_json
from medplum_bots.runtime.adapter import InvalidPayloadError, execute_sync, make_payload
from medplum_bots.runtime.local_run import parse_input
from medplum_bots.urls import normalize_base_url

BAD_BASE_URLS = [
    "api.medplum.com",
    "ftp://api.medplum.com/",
    "https://",
    "https://api.medplum.com/?project=1",
    "https://api.medplum.com/#x",
    "https://user:pw@api.medplum.com/",
]


def test_a_base_url_is_normalised_to_lower_case_host_and_a_trailing_slash() -> None:
    assert normalize_base_url(" HTTPS://Api.Medplum.com") == "https://api.medplum.com/"
    assert normalize_base_url("http://127.0.0.1:8103/base") == "http://127.0.0.1:8103/base/"


@pytest.mark.parametrize("url", BAD_BASE_URLS)
def test_every_entry_point_refuses_the_same_base_urls(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        normalize_base_url(url)
    with pytest.raises(CredentialsError):
        MedplumClient(url)
    config = {"bots": [], "environments": {"staging": {"baseUrl": url}}}
    with pytest.raises(ConfigError, match="field 'baseUrl' must be an http"):
        parse_config(config, tmp_path / "medplum.config.json")
    environment = Environment(
        name="staging",
        base_url="https://ok.example/",
        credentials_prefix="STAGING_",
        env_file=".env.staging",
    )
    environ = {
        "STAGING_MEDPLUM_CLIENT_ID": "id",
        "STAGING_MEDPLUM_CLIENT_SECRET": "secret",
        "STAGING_MEDPLUM_BASE_URL": url,
    }
    with pytest.raises(CredentialsError, match="STAGING_MEDPLUM_BASE_URL"):
        resolve_credentials(environment, tmp_path, environ)
    with pytest.raises(InvalidPayloadError, match=r"'baseUrl' must be an http\(s\) URL"):
        execute_sync(lambda medplum, event: None, make_payload({}, base_url=url))


def test_secrets_are_masked_longest_first_and_short_values_kept() -> None:
    short = "s" * (MIN_SECRET_LENGTH - 1)
    secret, longer = "token-abcdef", "token-abcdef-longer"
    assert redact(f"{longer} {secret} {short}", [secret, longer, short, None]) == (
        f"{MASK} {MASK} {short}"
    )
    outcome: dict[str, Any] = {"issue": [{"details": {"text": f"bad {secret}"}, "n": 1}]}
    assert redact_json(outcome, [secret]) == {"issue": [{"details": {"text": "bad ***"}, "n": 1}]}
    redactor = Redactor([secret])
    redactor.add(longer)
    assert redactor(f"{longer}/{secret}") == "***/***"


def test_the_runtime_masks_the_access_token_as_the_deployer_does() -> None:
    token = "a" * MIN_SECRET_LENGTH

    def leaky(medplum: Any, event: Any) -> None:
        print("token", medplum.get_access_token())

    payload = make_payload({}, base_url="https://api.example.com/", access_token=token)
    assert execute_sync(leaky, payload).logs == [f"token {MASK}"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("in.er7", "MSH|^~\\&|A\r", "x-application/hl7-v2+er7"),
        ("in.hl7", "MSH|^~\\&|A\r", "x-application/hl7-v2+er7"),
        ("input", "MSH|^~\\&|A\r", "x-application/hl7-v2+er7"),
        ("input", '{"a": 1}', "application/json"),
        ("in.txt", '{"a": 1}', "text/plain"),
    ],
)
def test_run_and_execute_send_an_input_file_with_the_same_content_type(
    name: str, text: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode())
    assert guess_content_type(name, text) == expected  # invoke run
    assert read_input(path)[1] == expected  # invoke execute, a smoke file


def test_run_execute_and_the_config_word_invalid_json_alike(tmp_path: Path) -> None:
    bad = tmp_path / "in.json"
    bad.write_text('{"a": }')
    with pytest.raises(MedplumBotsError) as remote:
        read_input(bad)
    with pytest.raises(MedplumBotsError) as local:
        parse_input('{"a": }', "application/json", "in.json")
    config_file = tmp_path / "medplum.config.json"
    config_file.write_text('{"a": }')
    with pytest.raises(ConfigError) as config:
        load_config(config_file)
    assert str(remote.value) == "--input '" + str(bad) + "':1:7: invalid JSON (Expecting value)"
    assert str(local.value) == "in.json:1:7: invalid JSON (Expecting value)"
    assert str(config.value) == "medplum.config.json:1:7: invalid JSON (Expecting value)"
