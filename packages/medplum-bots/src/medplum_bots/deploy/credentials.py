"""Per-environment credentials: which client id, secret and base URL a deploy uses.

For environment `staging` with prefix `STAGING_`, each of `MEDPLUM_CLIENT_ID` and
`MEDPLUM_CLIENT_SECRET` is looked up in this order, first hit wins (specific beats generic, so
one command can deploy staging and production with their own credentials):

1. `STAGING_MEDPLUM_CLIENT_ID` in the process environment
2. `STAGING_MEDPLUM_CLIENT_ID` or `MEDPLUM_CLIENT_ID` in `.env.staging`
3. `MEDPLUM_CLIENT_ID` in the process environment
4. `STAGING_MEDPLUM_CLIENT_ID` or `MEDPLUM_CLIENT_ID` in `.env`

The base URL is `STAGING_MEDPLUM_BASE_URL` (1) or `MEDPLUM_BASE_URL` in `.env.staging` (2),
else the environment's `baseUrl` in medplum.config.json. The generic `MEDPLUM_BASE_URL` (3, 4)
is not used for a configured environment: a copied `.env.example` would otherwise send every
environment to the same server.

Secrets never appear in a repr or an error message; `medplum_bots.redaction` scrubs them from
any text the tooling prints.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dotenv import dotenv_values
from dotenv.parser import parse_stream

from medplum_bots.config import Environment
from medplum_bots.errors import ConfigError, CredentialsError, OperationOutcomeError
from medplum_bots.redaction import MASK
from medplum_bots.redaction import Redactor as Redactor  # still importable from here
from medplum_bots.runtime.deploy_keys import DEPLOY_KEY_VAR, DeployKeyError, load_private
from medplum_bots.urls import normalize_base_url

CLIENT_ID = "MEDPLUM_CLIENT_ID"
CLIENT_SECRET = "MEDPLUM_CLIENT_SECRET"
BASE_URL = "MEDPLUM_BASE_URL"
GENERIC_ENV_FILE = ".env"


@dataclass(frozen=True)
class Credentials:
    """What one environment authenticates with; `sources` says where each value came from."""

    environment: str
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    sources: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Credentials(environment={self.environment!r}, base_url={self.base_url!r}, "
            f"client_id={self.client_id!r}, client_secret='{MASK}')"
        )


@dataclass(frozen=True)
class _Layer:
    """One place a value may come from (`label`), with the names it may carry there."""

    label: str
    values: Mapping[str, str | None]
    names: tuple[str, ...]


def read_env_file(path: Path) -> dict[str, str | None]:
    """The file's variables; a line python-dotenv cannot parse is a ConfigError naming it.

    python-dotenv itself only logs a warning without the file's name and drops the line, so
    the user would next read "MEDPLUM_CLIENT_SECRET is not set" about a value that is there.
    """
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: cannot read ({error})") from None
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            # The line itself is not shown: it may hold a secret.
            raise ConfigError(
                f"{path.name}:{binding.original.line}: not a NAME=VALUE line "
                "(check quotes: a value with spaces or # needs matching quotes)"
            )
    return dict(dotenv_values(stream=io.StringIO(text)))


def _layers(
    env: Environment, root: Path, environ: Mapping[str, str], variable: str
) -> list[_Layer]:
    prefixed = env.credentials_prefix + variable
    specific_file = root / env.env_file
    generic_file = root / GENERIC_ENV_FILE
    layers = [_Layer("the environment", environ, (prefixed,))]
    if specific_file.resolve() != generic_file.resolve():
        layers.append(_Layer(env.env_file, read_env_file(specific_file), (prefixed, variable)))
    if variable == BASE_URL:
        return layers
    layers.append(_Layer("the environment", environ, (variable,)))
    layers.append(_Layer(GENERIC_ENV_FILE, read_env_file(generic_file), (prefixed, variable)))
    return layers


def _lookup(layers: Iterable[_Layer]) -> tuple[str, str] | None:
    for layer in layers:
        for name in layer.names:
            value = (layer.values.get(name) or "").strip()
            if value:
                return value, f"{name} in {layer.label}"
    return None


def _normalise_base_url(value: str, where: str) -> str:
    try:
        return normalize_base_url(value)
    except ValueError as error:
        raise CredentialsError(f"{where}: must be an http(s) URL ({error})") from None


def resolve_credentials(
    env: Environment, root: Path, environ: Mapping[str, str] | None = None
) -> Credentials:
    """The client credentials and base URL for `env`, looked up as the module docstring says.

    `root` is the directory holding medplum.config.json (where `.env` files live).
    A missing value raises CredentialsError naming the variable and the environment.
    """
    process = os.environ if environ is None else environ
    found: dict[str, tuple[str, str]] = {}
    for variable in (CLIENT_ID, CLIENT_SECRET):
        hit = _lookup(_layers(env, root, process, variable))
        if hit is None:
            raise CredentialsError(
                f"environment {env.name!r}: {variable} is not set (set "
                f"{env.credentials_prefix}{variable}, or {variable} in {env.env_file}; "
                "see docs/configuration.md 'Credentials')"
            )
        found[variable] = hit
    url_hit = _lookup(_layers(env, root, process, BASE_URL))
    if url_hit is None:
        base_url, url_source = env.base_url, "baseUrl in medplum.config.json"
    else:
        base_url = _normalise_base_url(url_hit[0], f"environment {env.name!r}: {url_hit[1]}")
        url_source = url_hit[1]
    return Credentials(
        environment=env.name,
        base_url=base_url,
        client_id=found[CLIENT_ID][0],
        client_secret=found[CLIENT_SECRET][0],
        sources={
            CLIENT_ID: found[CLIENT_ID][1],
            CLIENT_SECRET: found[CLIENT_SECRET][1],
            BASE_URL: url_source,
        },
    )


def find_value(
    env: Environment, root: Path, variable: str, environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """`variable` for `env`, looked up like the client id: (value, where it was found), or None
    (e.g. `MEDPLUM_BOTS_TRUSTED_KEYS`, which `invoke rollback` reads)."""
    return _lookup(_layers(env, root, os.environ if environ is None else environ, variable))


def resolve_deploy_key(
    env: Environment, root: Path, environ: Mapping[str, str] | None = None
) -> Ed25519PrivateKey:
    """The environment's deploy (signing) key, looked up like the client id.

    Missing: CredentialsError saying how to make one. The key never appears in a message.
    """
    process = os.environ if environ is None else environ
    hit = _lookup(_layers(env, root, process, DEPLOY_KEY_VAR))
    if hit is None:
        raise CredentialsError(
            f"environment {env.name!r}: {DEPLOY_KEY_VAR} is not set (set "
            f"{env.credentials_prefix}{DEPLOY_KEY_VAR}, or {DEPLOY_KEY_VAR} in {env.env_file}); "
            f"make a key pair with `invoke deploy-key --environment {env.name}`"
        )
    try:
        return load_private(hit[0], f"{hit[1]} (environment {env.name!r})")
    except DeployKeyError as error:
        raise CredentialsError(str(error)) from None


# Answers to a login that mean "these credentials are wrong" (Medplum answers 400).
CREDENTIAL_STATUSES = (400, 401, 403)


def login_failed(credentials: Credentials, error: OperationOutcomeError) -> CredentialsError:
    """A refused login as one line naming the environment and where each value was found.

    Medplum only says `Invalid client` / `Invalid secret`; the user needs to know which
    variable (in which file) to fix.
    """
    hint = ""
    if error.status in CREDENTIAL_STATUSES:
        hint = f"; check {credentials.sources[CLIENT_ID]} and {credentials.sources[CLIENT_SECRET]}"
    return CredentialsError(
        f"environment {credentials.environment!r}: login to {credentials.base_url} failed "
        f"({error}){hint}"
    )
