"""Rules the client, the config, the deployer and the runtime share, each defined once:
what a base URL is (`urls`) and how secrets are kept out of printed text (`redaction`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medplum_bots.client import MedplumClient
from medplum_bots.config import Environment, parse_config
from medplum_bots.deploy.credentials import resolve_credentials
from medplum_bots.errors import ConfigError, CredentialsError
from medplum_bots.redaction import MASK, MIN_SECRET_LENGTH, Redactor, redact, redact_json
from medplum_bots.runtime.adapter import InvalidPayloadError, execute_sync, make_payload
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
